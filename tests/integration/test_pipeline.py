"""End to end on the real broker: news.raw → worker → tension.events / indicators / deadletter.

An independent kafka-python consumer reads the outputs and decodes them with nothing but
``schemas/``; the expected records come from the offline functions (the oracle).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition

from streams.indicators import batch_indicators
from streams.lag import group_lag, read_all, wait_caught_up
from streams.records import article_from_mapping
from streams.settings import Settings
from streams.tagging import Tagger
from tests.integration.independent import decode, encode

pytestmark = [pytest.mark.broker, pytest.mark.slow]

ARTICLES = [
    {
        "id": "e2e-1",
        "source": "wire",
        "url": "https://example.org/a1",
        "title": "Albania expels Iranian diplomats over cyberattack",
        "body": "Albania on Wednesday expelled Iran's ambassador and all embassy staff, "
                "blaming Iran for the July cyberattack on government servers.",
        "language": "en",
        "published_at": "2022-09-07T09:00:00Z",
    },
    {
        "id": "e2e-2",
        "source": "wire",
        "url": "https://example.org/a2",
        "title": "Iran condemns Albania's decision",
        "body": "Iran's foreign ministry condemned Albania's decision to cut ties and denied any role in the attack.",
        "language": "en",
        "published_at": "2022-09-08T11:00:00Z",
    },
]
AFTER_GARBAGE = {
    "id": "e2e-3",
    "source": "wire",
    "url": None,
    "title": "Israel and Albania sign cybersecurity cooperation agreement",
    "body": "Israel and Albania signed an agreement on cybersecurity cooperation in Tirana.",
    "language": "en",
    "published_at": "2022-09-20T08:00:00Z",
}


def read_topic(settings: Settings, key: str) -> list[Any]:
    return read_all(settings, settings.topic(key))


def test_articles_become_events_and_indicators_and_bad_records_are_dead_lettered(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any]
) -> None:
    settings = make_settings()
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    news = settings.topic("news_raw")
    # One article as Avro, one as JSON: the agent accepts both.
    first = article_from_mapping(ARTICLES[0])
    producer.send(news, key=b"e2e-1", value=encode("NewsArticle", first), partition=0)
    producer.send(news, key=b"e2e-2", value=json.dumps(ARTICLES[1]).encode(), partition=0)
    garbage = b"\x00\xffnot an article"
    no_text = json.dumps({"id": "e2e-bad", "source": "wire"}).encode()
    producer.send(news, key=b"junk", value=garbage, partition=0)
    producer.send(news, key=b"e2e-bad", value=no_text, partition=0)
    producer.send(news, key=b"e2e-3", value=json.dumps(AFTER_GARBAGE).encode(), partition=0)
    producer.flush()
    producer.close()

    worker = worker_factory(settings)
    assert wait_caught_up(settings, settings.app.id, [news, settings.topic("events")], timeout_s=300,
                          on_poll=lambda lag: worker.poll() is None or pytest.fail("the worker exited"))

    tagger = Tagger.from_settings(settings)
    expected_events = sorted(
        (ev for a in [*ARTICLES, AFTER_GARBAGE] for ev in tagger.tag(article_from_mapping(a))),
        key=lambda e: e["event_id"],
    )
    got_events = sorted((decode(m.value)[1] for m in read_topic(settings, "events")), key=lambda e: e["event_id"])
    assert [decode(m.value)[0] for m in read_topic(settings, "events")] == ["TaggedEvent"] * len(got_events)
    assert got_events == expected_events
    # The fixed facts, independent of the rules' details: who did what to whom, keyed by dyad.
    facts = {(e["source"]["country"], e["target"]["country"], e["cameo_code"][:2]) for e in got_events}
    assert ("ALB", "IRN", "16") in facts
    assert any(e["dyad"] == "ALB-ISR" for e in got_events)
    for message in read_topic(settings, "events"):
        assert message.key == decode(message.value)[1]["dyad"].encode()

    expected_snapshots, _, rejected = batch_indicators(expected_events, settings.indicators)
    assert rejected == []
    latest: dict[tuple[str, datetime], dict[str, Any]] = {}
    for message in read_topic(settings, "indicators"):
        name, snap = decode(message.value)
        assert name == "EscalationIndicator"
        assert message.key == snap["dyad"].encode()
        key = (snap["dyad"], snap["as_of"])
        if key not in latest or snap["revision"] > latest[key]["revision"]:
            latest[key] = snap
    got_snapshots = [s for _, s in sorted(latest.items())]
    assert got_snapshots == expected_snapshots

    dead = [decode(m.value)[1] for m in read_topic(settings, "deadletter")]
    assert [(d["agent"], d["topic"], d["partition"], d["offset"], d["key"], d["value"], d["error_type"], d["reason"])
            for d in dead] == [
        ("tag", news, 0, 2, b"junk", garbage, "SchemaError",
         "value is neither Avro single-object encoding nor a JSON object"),
        ("tag", news, 0, 3, b"e2e-bad", no_text, "SchemaError", "article has neither `title` nor `body`"),
    ]
    assert all(d["failed_at"].tzinfo is not None and d["failed_at"] > datetime(2024, 1, 1, tzinfo=UTC) for d in dead)


def test_records_deleted_before_the_worker_read_them_are_not_a_stall(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any], tmp_path: Path
) -> None:
    # The broker deleted (retention, or by hand) records the group never read: the highwater
    # still says they are there. The watchdog must not restart the worker over them.
    base = make_settings()
    settings = dataclasses.replace(base, app=dataclasses.replace(base.app, stall_timeout_s=2.0,
                                                                 watchdog_interval_s=0.5, max_restarts=1))
    news = settings.topic("news_raw")
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    for article in ARTICLES:
        producer.send(news, key=article["id"].encode(), value=json.dumps(article).encode(), partition=0)
    producer.flush()
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.delete_records({TopicPartition(news, 0): len(ARTICLES)})
    finally:
        admin.close()

    worker = worker_factory(settings)
    log_file = tmp_path / "worker-0.log"
    deadline = time.monotonic() + 120
    while "not a stall" not in log_file.read_text(encoding="utf-8") and time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.5)
    # Nothing the group could still read: deleted records are no lag either.
    assert group_lag(settings, settings.app.id, [news]) == 0
    producer.send(news, key=b"e2e-3", value=json.dumps(AFTER_GARBAGE).encode(), partition=0)
    producer.flush()
    producer.close()
    assert wait_caught_up(settings, settings.app.id, [news, settings.topic("events")], timeout_s=120,
                          on_poll=lambda lag: worker.poll() is None or pytest.fail("the worker exited"))

    log = log_file.read_text(encoding="utf-8")
    assert "records counted as waiting were deleted by the broker's retention; not a stall" in log
    assert "no progress for" not in log and "starting a fresh one" not in log
    tagger = Tagger.from_settings(settings)
    assert [decode(m.value)[1] for m in read_topic(settings, "events")] == tagger.tag(
        article_from_mapping(AFTER_GARBAGE))
