"""Feed parsing: what the tolerant parser (feedparser) costs per item, against a strict parse.

Parses every bundled real feed (tests/data/feeds) with :func:`streams.sources.feeds.parse_feed`
(feedparser, HTML stripped, NewsArticle records built) and, as the baseline measured in the
same run, with defusedxml's ElementTree alone (a strict parse that builds no record and
rejects a feed with one bare '&'). Results: ``feed_items_per_s`` (CPU time of this process)
and ``ratio`` = feedparser / baseline (below 1: slower). A poll every few minutes parses
tens of items, so the per-item cost matters only to replays of large feed archives.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from streams.sources.feeds import parse_feed

ROUNDS = 10


def _cpu(func: Any, documents: list[bytes]) -> float:
    started = time.process_time()
    for _ in range(ROUNDS):
        for data in documents:
            func(data)
    return time.process_time() - started


def run(bench_dir: Path) -> Iterator[dict[str, Any]]:
    folder = bench_dir.parent / "tests" / "data" / "feeds"
    documents = []
    for path in sorted(folder.glob("*.xml")):
        data = path.read_bytes()
        try:
            SafeET.fromstring(data)
        except SafeET.ParseError:
            continue  # the strict baseline cannot read it at all: compared only on feeds both read
        documents.append(data)
    items = sum(len(parse_feed(d, "bench").entries) for d in documents) * ROUNDS
    tolerant = _cpu(lambda d: parse_feed(d, "bench"), documents)
    strict = _cpu(SafeET.fromstring, documents)
    yield {"metric": "feed_items_per_s", "value": round(items / tolerant), "baseline": round(items / strict),
           "ratio": round(strict / tolerant, 3), "feeds": len(documents), "items": items // ROUNDS,
           "bytes": sum(map(len, documents))}
