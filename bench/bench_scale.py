"""Two workers against one on 6-partition topics, through the real broker.

``scale.one`` / ``scale.two`` — 10,000 articles (the stories of ``bench_e2e``) produced to a
6-partition news.raw (tension.events also has 6 partitions), then one worker, or two workers in
the same group, consume them until the group has no lag on news.raw and tension.events:
articles/s from the first worker's start. ``ratio`` is two over one. Tagging spreads over all
six partitions; indicator state is keyed by dyad, so three dyads use at most three partitions
of tension.events whatever the worker count.

On a 2-core machine that also runs the broker, two workers compete with the broker and with
each other for the same cores, so read the ratio as what a second process buys there.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_e2e import articles, consume_all, delete_topics, produce, settings_for

COUNT = 10_000
PARTITIONS = 6


def six_partition_settings(tmp: Path) -> Any:
    from streams.topics import ensure_topics

    base = settings_for(tmp)
    topics = dataclasses.replace(
        base.topics,
        news_raw=dataclasses.replace(base.topics.news_raw, partitions=PARTITIONS),
        events=dataclasses.replace(base.topics.events, partitions=PARTITIONS),
        indicators=dataclasses.replace(base.topics.indicators, partitions=PARTITIONS),
    )
    # settings_for created 3-partition topics under this prefix; start from fresh names.
    delete_topics(base)
    settings = dataclasses.replace(base, topics=dataclasses.replace(topics, prefix=base.topics.prefix + "six."))
    ensure_topics(settings)
    return settings


def measure(workers: int, records: list[tuple[bytes, bytes]], tmp: Path) -> float:
    from streams.demo import start_worker, stop_worker

    settings = six_partition_settings(tmp / f"w{workers}")
    produce(settings, records)
    started = time.perf_counter()
    procs = []
    try:
        for n in range(workers):
            own = dataclasses.replace(settings, app=dataclasses.replace(settings.app, data_dir=str(tmp / f"w{workers}-{n}")))
            procs.append(start_worker(own, tmp / f"w{workers}-{n}.log", loglevel="warning"))
        return consume_all(settings, procs[0], started)
    finally:
        for proc in procs:
            stop_worker(proc)
        delete_topics(settings)


def run(_here: Path) -> list[dict[str, Any]]:
    records = articles(COUNT, "scale")
    with tempfile.TemporaryDirectory(prefix="geotension-bench-scale-") as tmp_name:
        tmp = Path(tmp_name)
        one = COUNT / measure(1, records, tmp)
        two = COUNT / measure(2, records, tmp)
    return [
        {"name": "scale.one", "value": round(one), "unit": "articles/s", "baseline": None, "ratio": None,
         "count": COUNT, "partitions": PARTITIONS},
        {"name": "scale.two", "value": round(two), "unit": "articles/s", "baseline": round(one),
         "ratio": round(two / one, 3), "count": COUNT, "partitions": PARTITIONS},
    ]
