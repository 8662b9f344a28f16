"""The record ledger across a worker killed with SIGKILL: every news.raw record counted once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from kafka import KafkaProducer

from streams.demo import produce_articles, worker_env
from streams.lag import wait_caught_up
from streams.settings import Settings
from streams.tagging import Tagger
from tests.integration.midstream import output_records, wait_output_beyond
from tests.integration.webclient import get, sample_articles, with_web

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def reconcile(settings: Settings) -> tuple[int, dict[str, Any]]:
    done = subprocess.run([sys.executable, "-m", "streams", "reconcile", "--json"], env=worker_env(settings),
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr}


def test_counts_reconcile_across_a_sigkill_and_a_restart(make_settings: Callable[..., Settings],
                                                          worker_factory: Callable[[Settings], Any]) -> None:
    settings = with_web(make_settings())
    articles = sample_articles(lambda i: True)
    tagger = Tagger.from_settings(settings)
    with_events = sum(1 for a in articles if tagger.tag(a))
    garbage = [b"{not json", b"\xff\xfe", json.dumps({"id": "x"}).encode()]
    news = settings.topic("news_raw")

    produce_articles(settings, articles[:60])
    worker = worker_factory(settings)
    wait_output_beyond(settings, 0, [worker])
    worker.send_signal(signal.SIGKILL)  # the supervisor and, with it, its faust child
    worker.wait()
    mark = output_records(settings)

    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    for value in garbage:
        producer.send(news, key=b"garbage", value=value)
    producer.flush()
    producer.close()
    produce_articles(settings, articles[60:])
    restarted = worker_factory(settings)
    alive = lambda lag: restarted.poll() is None or pytest.fail("the worker exited")  # noqa: E731
    assert wait_caught_up(settings, settings.app.id, [news, settings.topic("events")], 240, on_poll=alive)
    assert output_records(settings) > mark

    code, figures = reconcile(settings)
    total = len(articles) + len(garbage)
    assert (code, figures["in"], figures["with_events"], figures["without_events"], figures["dead_letters"]) == (
        0, total, with_events, len(articles) - with_events, len(garbage)), figures
    assert (figures["reconciled"], figures["dead_letters_on_topic"], figures["committed_on_news_raw"]) == (
        True, len(garbage), total)
    assert sum(p["taken_in"] for p in figures["partitions"].values()) == total
    # The restarted worker's own counters start at zero; its ledger holds the whole run.
    status, counters = get(settings, "/api/counters")
    assert status == 200
    assert {k: counters["ledger"][k] for k in ("in", "with_events", "without_events", "dead_letters", "reconciled")} \
        == {"in": total, "with_events": with_events, "without_events": len(articles) - with_events,
            "dead_letters": len(garbage), "reconciled": True}


def test_reconcile_without_a_ledger_is_one_line(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    done = subprocess.run([sys.executable, "-m", "streams", "reconcile"], env=worker_env(settings),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: no ledger yet: topic {settings.app.id}-ledger-changelog does not exist (has a worker with app.id "
        f"{settings.app.id!r} run?)"]
