"""The embedded default: the whole pipeline over the bundled sample, on the local broker.

Steps: make sure a broker answers (start the local one if not), create a fresh set of
topics for this run, produce ``samples/articles.jsonl`` to news.raw, run a worker until it has
consumed everything, read tension.indicators back and summarise it per dyad, then stop the
worker, delete this run's topics and stop the broker if the demo started it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.codec import default_registry
from streams.errors import InputError, TensionError
from streams.lag import read_all, wait_caught_up
from streams.records import article_from_mapping, format_time
from streams.settings import TOPIC_KEYS, Settings, resource_dir

SAMPLE = resource_dir("samples") / "articles.jsonl"
LEVEL_ORDER = ("CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL")


@dataclass
class DyadSummary:
    """One row of the demo's table."""

    dyad: str
    events: int = 0
    snapshots: int = 0
    alerts: int = 0
    peak_level: str = "CALM"
    peak_index: float = 0.0
    peak_at: str = "-"
    last_level: str = "CALM"
    last_index: float = 0.0
    last_at: str = "-"
    conflict: float = 0.0
    cooperation: float = 0.0


def load_articles(path: Path) -> list[dict[str, Any]]:
    """NewsArticle records from a JSON-lines file; a bad line names file and line."""
    if not path.is_file():
        raise InputError(f"{path}: sample file not found")
    articles = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            articles.append(article_from_mapping(json.loads(line)))
        except (ValueError, TensionError) as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
    return articles


def produce_articles(settings: Settings, articles: list[dict[str, Any]]) -> None:
    """Avro single-object encoded NewsArticles, keyed by id, timestamped with published_at.

    All go to partition 0: the timeline spans seven years, and a worker reading several
    partitions at once would see 2025 before 2018 and send the older events beyond the
    indicators' horizon to the dead-letter topic.
    """
    from streams.kafka_clients import producer

    registry = default_registry()
    out = producer(settings)
    try:
        for article in articles:
            stamp = article["published_at"]
            out.send(
                settings.topic("news_raw"),
                key=article["id"].encode(),
                value=registry.encode("NewsArticle", article),
                partition=0,
                timestamp_ms=int(stamp.timestamp() * 1000) if stamp else None,
            )
        out.flush()
    finally:
        out.close()


def summarise(settings: Settings, dyads: list[str]) -> list[DyadSummary]:
    """Newest revision of every snapshot per dyad, reduced to one row per dyad."""
    registry = default_registry()
    rows = {d: DyadSummary(d) for d in dyads}
    for message in read_all(settings, settings.topic("events")):
        _, event = registry.decode(message.value)
        if event["dyad"] in rows:
            rows[event["dyad"]].events += 1
    latest: dict[tuple[str, Any], dict[str, Any]] = {}
    for message in read_all(settings, settings.topic("indicators")):
        _, snap = registry.decode(message.value)
        key = (snap["dyad"], snap["as_of"])
        if key not in latest or snap["revision"] >= latest[key]["revision"]:
            latest[key] = snap
    for message in read_all(settings, settings.topic("alerts")):
        _, alert = registry.decode(message.value)
        if alert["dyad"] in rows:
            rows[alert["dyad"]].alerts += 1
    for (dyad, _), snap in sorted(latest.items(), key=lambda item: (item[0][0], item[0][1])):
        row = rows.setdefault(dyad, DyadSummary(dyad))
        row.snapshots += 1
        if snap["tension_index"] > row.peak_index:
            row.peak_index, row.peak_at = snap["tension_index"], format_time(snap["as_of"])[:10]
        if LEVEL_ORDER.index(snap["level"]) > LEVEL_ORDER.index(row.peak_level):
            row.peak_level = snap["level"]
        row.last_level, row.last_index, row.last_at = snap["level"], snap["tension_index"], format_time(snap["as_of"])[:10]
        longest = snap["windows"][-1]
        row.conflict, row.cooperation = longest["conflict_sum"], longest["cooperation_sum"]
    return [rows[d] for d in sorted(rows)]


def render_table(rows: list[DyadSummary]) -> str:
    """The per-dyad escalation table the demo prints."""
    header = ("dyad", "events", "peak level", "peak index", "peak on", "level now", "index now", "as of",
              "conflict 30d", "coop 30d", "alerts")
    lines = [header]
    for r in rows:
        lines.append((r.dyad, str(r.events), r.peak_level, f"{r.peak_index:.1f}", r.peak_at, r.last_level,
                      f"{r.last_index:.1f}", r.last_at, f"{r.conflict:.1f}", f"{r.cooperation:.1f}", str(r.alerts)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def watched_dyads(settings: Settings) -> list[str]:
    """Pairs of watched states from actors.yaml (the demo's rows)."""
    states = sorted(str(code) for code in settings.actors.get("watched") or [])
    return [f"{a}-{b}" for i, a in enumerate(states) for b in states[i + 1 :]]


def run_demo(settings: Settings, say: Callable[[str], None], sample: Path = SAMPLE, timeout_s: float = 240.0) -> str:
    """Run the demo end to end and return the table; cleans up whatever it started."""
    from streams.broker import ClientSecurity, LocalBroker, broker_answers
    from streams.topics import delete_topics, ensure_topics

    started_broker: LocalBroker | None = None
    if not broker_answers(settings.kafka.bootstrap, timeout_s=3.0, security=ClientSecurity.from_settings(settings)):
        say(f"no broker at {settings.kafka.bootstrap}: starting the local Kafka {settings.local_broker.version}")
        broker = LocalBroker(settings)
        status, _ = broker.start()
        started_broker = broker
        say(f"broker ready at {status.address} (data {status.data_dir})")
    run = secrets.token_hex(4)
    data_dir = Path(tempfile.mkdtemp(prefix="geotension-demo-"))
    demo = dataclasses.replace(
        settings,
        topics=dataclasses.replace(settings.topics, prefix=f"demo-{run}."),
        app=dataclasses.replace(settings.app, id=f"geotension-demo-{run}", data_dir=str(data_dir)),
        web=dataclasses.replace(settings.web, enabled=False),
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        articles = load_articles(sample)
        ensure_topics(demo)
        produce_articles(demo, articles)
        say(f"produced {len(articles)} sample articles to {demo.topic('news_raw')}")
        worker = start_worker(demo, data_dir / "worker.log")
        say("worker started; waiting until it has consumed everything")
        caught_up = wait_caught_up(demo, demo.app.id, [demo.topic("news_raw"), demo.topic("events")],
                                   timeout_s, on_poll=lambda lag: _check_alive(worker, data_dir / "worker.log"))
        if not caught_up:
            raise TensionError(f"the worker did not catch up within {timeout_s:.0f}s (log: {data_dir / 'worker.log'})")
        rows = summarise(demo, watched_dyads(demo))
        return render_table(rows)
    finally:
        if worker is not None:
            stop_worker(worker)
        try:
            delete_topics(demo, _run_topics(demo))
        except TensionError as exc:
            say(f"could not delete the demo topics: {exc}")
        shutil.rmtree(data_dir, ignore_errors=True)
        if started_broker is not None:
            started_broker.stop()
            say("local broker stopped")


def _run_topics(settings: Settings) -> list[str]:
    from streams.kafka_clients import admin_client

    admin = admin_client(settings)
    try:
        return [t for t in admin.list_topics() if t.startswith(settings.topics.prefix) or t.startswith(settings.app.id)]
    finally:
        admin.close()


def worker_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a ``geotension worker`` subprocess use ``settings``."""
    env = dict(os.environ)
    env.update({
        "GEOTENSION_BOOTSTRAP": settings.kafka.bootstrap,
        "GEOTENSION_TOPICS_PREFIX": settings.topics.prefix,
        "GEOTENSION_APP_ID": settings.app.id,
        "GEOTENSION_APP_DATA_DIR": settings.app.data_dir,
        "GEOTENSION_APP_STORE": settings.app.store,
        "GEOTENSION_APP_STALL_TIMEOUT_S": str(settings.app.stall_timeout_s),
        "GEOTENSION_APP_WATCHDOG_INTERVAL_S": str(settings.app.watchdog_interval_s),
        "GEOTENSION_APP_MAX_RESTARTS": str(settings.app.max_restarts),
        "GEOTENSION_APP_PARTITION_IDLE_S": str(settings.app.partition_idle_s),
        "GEOTENSION_WEB_ENABLED": "true" if settings.web.enabled else "false",
        "GEOTENSION_WEB_PORT": str(settings.web.port),
        "GEOTENSION_CONFIG_DIR": str(settings.config_dir),
        "GEOTENSION_KAFKA_SECURITY_PROTOCOL": settings.kafka.security_protocol,
        "GEOTENSION_KAFKA_SASL_MECHANISM": settings.kafka.sasl_mechanism,
        "GEOTENSION_KAFKA_SASL_USERNAME": settings.kafka.sasl_username,
        "GEOTENSION_KAFKA_SSL_CAFILE": settings.kafka.ssl_cafile,
    })
    for key in TOPIC_KEYS:
        # The table's changelog takes its partition count from the events topic's setting.
        env[f"GEOTENSION_TOPICS_{key.upper()}_PARTITIONS"] = str(settings.topic_spec(key).partitions)
    # The one place a secret leaves the settings: the child reads it from its environment.
    if settings.kafka.sasl_password.reveal():
        env["GEOTENSION_KAFKA_SASL_PASSWORD"] = settings.kafka.sasl_password.reveal()
    else:
        env.pop("GEOTENSION_KAFKA_SASL_PASSWORD", None)
    return env


def start_worker(settings: Settings, log_file: Path, loglevel: str = "info") -> subprocess.Popen[bytes]:
    """``geotension worker`` in a child process, logging to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "streams", "worker", "--loglevel", loglevel],
            env=worker_env(settings), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


def stop_worker(proc: subprocess.Popen[bytes], timeout_s: float = 30.0) -> int:
    """SIGTERM (a clean faust shutdown), then SIGKILL if it hangs; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _check_alive(proc: subprocess.Popen[bytes], log_file: Path) -> None:
    if proc.poll() is not None:
        tail = log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] if log_file.exists() else []
        raise TensionError(f"the worker exited with code {proc.returncode} ({tail[0] if tail else 'no output'}); log: {log_file}")
    time.sleep(0)
