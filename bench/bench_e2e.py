"""End to end through the real broker: the whole worker against the same topology doing nothing.

* ``e2e.full``          — 20,000 articles (each coded into events) are produced to news.raw of
  fresh topics, then a real ``geotension worker`` consumes them: articles/s from its start
  to the moment its group has no lag on news.raw and tension.events (start-up included);
* ``e2e.passthrough``   — the same topology (news.raw → tension.events → tension.indicators)
  with agents that forward the bytes unchanged, same records, same measure: the ratio
  full / passthrough is the price of tagging and indicator maths (target >= 0.7);
* ``e2e.latency_p50`` / ``p99`` — then, with the full worker caught up, articles at a steady
  200/s for 20 s: producer send time → the TaggedEvent's record timestamp (set when the tag
  agent sends it), in milliseconds (target p99 < 500 ms);
* ``e2e.rss``           — the worker's resident memory after all of that (MB).

The broker is ``GEOTENSION_BOOTSTRAP`` (default 127.0.0.1:9092).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

COUNT = 20_000
RATE = 200
RATE_SECONDS = 20
START = datetime(2021, 1, 1, tzinfo=UTC)
STORIES = [
    ("Albania expels Iranian diplomats over cyberattack",
     "Albania on Wednesday expelled Iran's ambassador, blaming Iran for the cyberattack on government servers."),
    ("Iran condemns Israel over strike", "Iran's foreign ministry condemned Israel for the strike near Damascus."),
    ("Israel and Albania sign cybersecurity agreement",
     "Israel and Albania signed an agreement on cybersecurity cooperation in Tirana."),
]


def settings_for(tmp: Path) -> Any:
    from streams.settings import load_settings
    from streams.topics import ensure_topics

    base = load_settings()
    address = os.environ.get("GEOTENSION_BOOTSTRAP", base.kafka.bootstrap)
    tag = secrets.token_hex(4)
    settings = dataclasses.replace(
        base,
        kafka=dataclasses.replace(base.kafka, bootstrap=address),
        topics=dataclasses.replace(base.topics, prefix=f"bench-e2e-{tag}."),
        app=dataclasses.replace(base.app, id=f"bench-e2e-{tag}", data_dir=str(tmp / "state")),
        web=dataclasses.replace(base.web, enabled=False),
    )
    ensure_topics(settings)
    return settings


def articles(count: int, prefix: str) -> list[tuple[bytes, bytes]]:
    from streams.codec import default_registry
    from streams.records import article_from_mapping

    registry = default_registry()
    out = []
    for i in range(count):
        title, body = STORIES[i % len(STORIES)]
        article = article_from_mapping({"id": f"{prefix}-{i}", "source": "bench", "title": title, "body": body,
                                        "language": "en", "url": f"https://example.org/{prefix}/{i}",
                                        "published_at": (START + timedelta(minutes=i)).isoformat()})
        out.append((article["id"].encode(), registry.encode("NewsArticle", article)))
    return out


def produce(settings: Any, records: list[tuple[bytes, bytes]]) -> None:
    from streams.kafka_clients import producer

    out = producer(settings, linger_ms=20)
    for key, value in records:
        out.send(settings.topic("news_raw"), key=key, value=value)
    out.flush()
    out.close()


def consume_all(settings: Any, proc: subprocess.Popen[bytes], started: float) -> float:
    from streams.lag import wait_caught_up

    def alive(lag: int) -> None:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {proc.returncode}")

    if not wait_caught_up(settings, settings.app.id, [settings.topic("news_raw"), settings.topic("events")], 900,
                          on_poll=alive, settle_s=0.5):
        raise RuntimeError("the worker did not catch up within 15 minutes")
    return time.perf_counter() - started - 0.5


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (``geotension worker`` runs faust in a child)."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return total
    return total + sum(rss_mb(int(child)) for child in children)


def delete_topics(settings: Any) -> None:
    from streams.kafka_clients import admin_client

    admin = admin_client(settings)
    try:
        names = set(admin.list_topics())
        admin.delete_topics([n for n in names if n.startswith(settings.topics.prefix) or n.startswith(settings.app.id)])
    except Exception:  # noqa: BLE001 - best effort cleanup
        pass
    admin.close()


def latency(settings: Any) -> list[float]:
    """Send RATE articles/s for RATE_SECONDS; ms from send to the TaggedEvent's timestamp."""
    from streams.codec import default_registry
    from streams.kafka_clients import producer
    from streams.lag import read_all

    records = articles(RATE * RATE_SECONDS, "lat")
    out = producer(settings, linger_ms=0)
    sent: dict[str, float] = {}
    start = time.time()
    for i, (key, value) in enumerate(records):
        due = start + i / RATE
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        now = time.time()
        sent[key.decode()] = now
        out.send(settings.topic("news_raw"), key=key, value=value, timestamp_ms=int(now * 1000))
    out.flush()
    out.close()
    time.sleep(3)
    registry = default_registry()
    first: dict[str, float] = {}
    for message in read_all(settings, settings.topic("events")):
        _, event = registry.decode(message.value)
        aid = event["article_id"]
        if aid in sent:
            first[aid] = min(first.get(aid, 1e18), message.timestamp / 1000)
    return sorted((first[a] - sent[a]) * 1000 for a in first)


def run(bench_dir: Path) -> list[dict[str, Any]]:
    from streams.demo import start_worker, stop_worker

    results: list[dict[str, Any]] = []
    records = articles(COUNT, "e2e")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Pass-through first, then the real worker, each on its own topics.
        through = settings_for(tmp / "pass")
        produce(through, records)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bench.bench_e2e", "passthrough", json.dumps({
            "bootstrap": through.kafka.bootstrap, "id": through.app.id, "news": through.topic("news_raw"),
            "events": through.topic("events"), "indicators": through.topic("indicators")})],
            cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            pass_s = consume_all(through, proc, started)
        finally:
            proc.terminate()
            proc.wait(30)
            delete_topics(through)

        full = settings_for(tmp / "full")
        produce(full, records)
        started = time.perf_counter()
        worker = start_worker(full, tmp / "worker.log", loglevel="warning")
        try:
            full_s = consume_all(full, worker, started)
            lat = latency(full)
            rss = rss_mb(worker.pid)
        finally:
            stop_worker(worker)
            delete_topics(full)

    full_rate, pass_rate = COUNT / full_s, COUNT / pass_s
    results.append({"name": "e2e.full", "value": round(full_rate), "unit": "articles/s", "baseline": round(pass_rate),
                    "ratio": round(full_rate / pass_rate, 3), "count": COUNT})
    results.append({"name": "e2e.passthrough", "value": round(pass_rate), "unit": "articles/s", "baseline": None,
                    "ratio": None, "count": COUNT})
    if lat:
        p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        results.append({"name": "e2e.latency_p50", "value": round(p50, 1), "unit": "ms", "baseline": 500,
                        "ratio": round(p50 / 500, 3), "rate": RATE, "samples": len(lat)})
        results.append({"name": "e2e.latency_p99", "value": round(p99, 1), "unit": "ms", "baseline": 500,
                        "ratio": round(p99 / 500, 3), "rate": RATE, "samples": len(lat)})
    results.append({"name": "e2e.rss", "value": round(rss, 1), "unit": "MB", "baseline": None, "ratio": None,
                    "articles": COUNT + RATE * RATE_SECONDS})
    return results


def passthrough(spec: dict[str, Any]) -> None:
    """The topology with agents that forward bytes unchanged (the comparison baseline)."""
    import faust

    from streams.settings import load_settings

    # The worker's own framework settings (producer linger, no start-up spinner), so that the
    # ratio prices our code, not a difference in faust configuration.
    linger = load_settings().app.producer_linger_ms / 1000.0
    app = faust.App(spec["id"], broker=f"kafka://{spec['bootstrap']}", store="memory://", web_enabled=False,
                    value_serializer="raw", key_serializer="raw", topic_replication_factor=1, autodiscover=False,
                    consumer_auto_offset_reset="earliest", broker_commit_every=1000, producer_linger=linger)
    news, events, indicators = (app.topic(spec[k], value_serializer="raw", key_serializer="raw")
                                for k in ("news", "events", "indicators"))

    @app.agent(news)
    async def tag(stream: Any) -> None:
        async for event in stream.events():
            await events.send(key=event.key, value=event.value)

    @app.agent(events)
    async def indicate(stream: Any) -> None:
        async for event in stream.events():
            await indicators.send(key=event.key, value=event.value)

    runner = faust.Worker(app, loglevel="warning", quiet=True)
    runner.spinner = None
    runner.execute_from_commandline()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "passthrough":
        passthrough(json.loads(sys.argv[2]))
    else:
        for row in run(Path(__file__).resolve().parent):
            print(json.dumps(row))
