"""Replay throughput to a real broker: ``geotension replay`` vs a bare kafka-python loop vs kcat.

100,000 generated NewsArticles (about 600 bytes of JSON each) are written as JSON lines, then
produced three ways in the same run, each to its own fresh topic (3 partitions):

* ``replay``     — :func:`streams.replay.replay` over the file: read, validate, Avro-encode,
  send (what ``geotension replay FILE --max`` does);
* ``bare``       — the baseline: a kafka-python producer with the same settings sending the
  same pre-encoded Avro bytes, keys and timestamps in a plain loop (no reading or encoding);
* ``kcat``       — ``kcat -P -l`` sending the JSON lines file as it is (librdkafka in C), for
  reference; skipped with a note when kcat is not installed and cannot be.

Each figure is records/s from the first send to the last acknowledgement (flush). The ratio
replay/bare is the target (>= 0.8): the price of parsing and encoding on top of producing.
The broker is ``GEOTENSION_BOOTSTRAP`` when set, else a local one started on spare ports.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from streams.codec import default_registry
from streams.kafka_clients import admin_client, producer
from streams.records import article_from_mapping
from streams.replay import BULK_PRODUCER, ReplayOptions, read_inputs, replay
from streams.settings import Settings, load_settings

COUNT = 100_000
START = datetime(2020, 1, 1, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def generate(path: Path, count: int = COUNT) -> None:
    """``count`` articles one minute apart, with text of news-like length."""
    body = ("Officials in Tirana said on Tuesday that the investigation into the cyberattack on "
            "government servers continues, and that experts from partner states are assisting. ") * 3
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({
                "id": f"bench-{i:07d}", "source": "bench-wire", "url": f"https://example.org/bench/{i}",
                "title": f"Report {i}: Albania and Iran", "body": body, "language": "en",
                "published_at": (START + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
            }) + "\n")


def _create(settings: Settings, names: list[str]) -> None:
    from kafka.admin import NewTopic

    admin = admin_client(settings)
    try:
        admin.create_topics([NewTopic(n, 3, 1) for n in names])
    finally:
        admin.close()


def _bare(settings: Settings, topic: str, path: Path) -> float:
    registry = default_registry()
    prepared = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = article_from_mapping(json.loads(line))
            prepared.append((record["id"].encode(), registry.encode("NewsArticle", record),
                             int(record["published_at"].timestamp() * 1000)))
    out = producer(settings, **BULK_PRODUCER)
    try:
        started = time.perf_counter()
        for key, value, stamp in prepared:
            out.send(topic, key=key, value=value, timestamp_ms=stamp)
        out.flush()
        return len(prepared) / (time.perf_counter() - started)
    finally:
        out.close()


def _kcat(bootstrap: str, topic: str, path: Path) -> tuple[float | None, str]:
    kcat = shutil.which("kcat")
    if kcat is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "kcat"], capture_output=True, timeout=300, check=False)
        kcat = shutil.which("kcat")
    if kcat is None:
        return None, "kcat not installed and could not be installed (Debian package kcat)"
    started = time.perf_counter()
    done = subprocess.run([kcat, "-P", "-b", bootstrap, "-t", topic, "-l", str(path),
                           "-X", "linger.ms=20", "-X", "batch.size=524288"], capture_output=True, timeout=600, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return None, f"kcat failed: {done.stderr.decode(errors='replace').strip()[:200]}"
    return COUNT / elapsed, "kcat -P -l over the JSON lines file (includes kcat's start and metadata fetch)"


def run(bench_dir: Path) -> list[dict[str, Any]]:
    base = load_settings()
    work = Path(tempfile.mkdtemp(prefix="geotension-bench-replay-"))
    broker = None
    bootstrap = os.environ.get("GEOTENSION_BOOTSTRAP")
    try:
        if not bootstrap:
            from streams.broker import LocalBroker

            bootstrap = f"127.0.0.1:{_free_port()}"
            started = dataclasses.replace(
                base, kafka=dataclasses.replace(base.kafka, bootstrap=bootstrap),
                local_broker=dataclasses.replace(base.local_broker, controller_port=_free_port()))
            broker = LocalBroker(started, instance_dir=work / "broker")
            broker.start()
        run_id = secrets.token_hex(4)
        settings = dataclasses.replace(
            base, kafka=dataclasses.replace(base.kafka, bootstrap=bootstrap),
            topics=dataclasses.replace(base.topics, prefix=f"bench-{run_id}."))
        names = {k: f"bench-{run_id}.{k}" for k in ("replay", "bare", "kcat")}
        _create(settings, list(names.values()))
        data = work / "articles.jsonl"
        generate(data)
        size_mb = data.stat().st_size / 1e6

        bare_rate = _bare(settings, names["bare"], data)
        stats = replay(settings, read_inputs([str(data)], "jsonl"), ReplayOptions(topic=names["replay"]))
        assert stats.sent == COUNT, stats.summary()
        replay_rate = stats.sent / stats.elapsed_s
        kcat_rate, kcat_note = _kcat(bootstrap, names["kcat"], data)

        from streams.topics import delete_topics

        delete_topics(settings, list(names.values()))
        results: list[dict[str, Any]] = [
            {"name": "replay_jsonl_100k", "value": round(replay_rate), "unit": "records/s",
             "baseline": round(bare_rate), "ratio": round(replay_rate / bare_rate, 3),
             "note": f"{COUNT} articles, {size_mb:.0f} MB JSON lines; baseline: bare kafka-python loop, "
                     "same pre-encoded bytes and producer settings; target ratio >= 0.8"},
            {"name": "bare_producer_100k", "value": round(bare_rate), "unit": "records/s", "baseline": None, "ratio": None},
        ]
        results.append({"name": "kcat_jsonl_100k", "value": round(kcat_rate) if kcat_rate else None, "unit": "records/s",
                        "baseline": round(bare_rate), "ratio": round(kcat_rate / bare_rate, 3) if kcat_rate else None,
                        "note": kcat_note})
        return results
    finally:
        if broker is not None:
            broker.stop()
        shutil.rmtree(work, ignore_errors=True)
