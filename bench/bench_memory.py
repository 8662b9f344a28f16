"""The worker's resident memory after a long stream of events through the real broker.

``memory.worker`` — ``GEOTENSION_BENCH_EVENTS`` TaggedEvents (default 1,000,000; the stream of
``bench_engine``: six directed dyads over two years, 5 % late, 2 % redelivered) are produced to
tension.events of fresh topics, then one ``geotension worker`` computes their indicators. It
reports the worker's RSS (supervisor and faust child together) at every tenth of the stream
and once it has caught up. The indicator state keeps what a snapshot inside the horizon can
still need (horizon 90 d + baseline 180 d + longest window 30 d: about 300 days, 41 % of the
two-year stream) and drops the rest, so memory must level off after that point however long
the stream is. Also events/s through the indicator agent.

The last module of ``make bench`` because it takes 10 minutes or more on 2 cores; alone:
``python -m bench memory``. The broker is ``GEOTENSION_BOOTSTRAP`` (default 127.0.0.1:9092).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.bench_e2e import delete_topics, rss_mb, settings_for

COUNT = int(os.environ.get("GEOTENSION_BENCH_EVENTS", "1000000"))


def tagged(event: dict[str, Any]) -> dict[str, Any]:
    """An engine bench event completed into a full TaggedEvent."""
    src, tgt = event["source"]["country"], event["target"]["country"]
    return {
        **event,
        "article_id": f"a-{event['event_id']}", "origin": "TEXT",
        "source": {"code": src, "country": src, "role": "GOV", "name": src},
        "target": {"code": tgt, "country": tgt, "role": "GOV", "name": tgt},
        "context": "DIPLOMATIC", "evidence": {"sentence": "s", "spans": []}, "language": "en",
        "ruleset_version": "bench", "outlet": "wire", "url": None, "truncated": False,
    }


def produce(settings: Any, count: int) -> None:
    from kafka import KafkaProducer

    from bench.bench_engine import events
    from streams.codec import default_registry

    registry = default_registry()
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap, linger_ms=20, batch_size=256 * 1024,
                             compression_type=None)
    topic = settings.topic("events")
    for event in events(count):
        producer.send(topic, key=event["dyad"].encode(), value=registry.encode("TaggedEvent", tagged(event)))
    producer.flush(timeout=300)
    producer.close()


def run(_here: Path) -> Iterator[dict[str, Any]]:
    from streams.demo import start_worker, stop_worker
    from streams.lag import group_lag

    with tempfile.TemporaryDirectory(prefix="geotension-bench-mem-") as tmp:
        settings = settings_for(Path(tmp))
        started = time.perf_counter()
        produce(settings, COUNT)
        yield {"name": "memory.produce", "events": COUNT, "seconds": round(time.perf_counter() - started, 1)}
        topics = [settings.topic("events")]
        worker = start_worker(settings, Path(tmp) / "worker.log", loglevel="warning")
        try:
            started = time.perf_counter()
            samples: dict[int, float] = {}
            lag = COUNT
            deadline = started + 4 * 3600
            while time.perf_counter() < deadline:
                if worker.poll() is not None:
                    raise RuntimeError(f"the worker exited with {worker.returncode}; log: {Path(tmp) / 'worker.log'}")
                try:
                    lag = group_lag(settings, settings.app.id, topics)
                except Exception:  # noqa: BLE001 - group not formed yet
                    lag = COUNT
                done = (COUNT - lag) * 10 // COUNT  # tenths of the stream consumed
                if 0 < done and done not in samples:
                    samples[done] = rss_mb(worker.pid)
                if lag == 0:
                    break
                time.sleep(1.0)
            seconds = time.perf_counter() - started
            if lag:
                raise RuntimeError(f"the worker did not catch up: {lag} events left")
            yield {"name": "memory.worker", "events": COUNT, "seconds": round(seconds, 1),
                   "events_per_s": round(COUNT / seconds, 1), "rss_mb_after_all": round(rss_mb(worker.pid), 1),
                   "rss_mb_by_tenth": {f"{k * 10}%": round(v, 1) for k, v in sorted(samples.items())}}
        finally:
            stop_worker(worker, timeout_s=60)
            delete_topics(settings)
