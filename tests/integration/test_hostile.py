"""Hostile input on news.raw: every record is processed or dead-lettered with its reason.

The corpus (``tests/data/hostile/``) holds malformed and truncated JSON and Avro, unknown
fingerprints, invalid UTF-8, NUL bytes, bidirectional overrides, markup, unknown languages,
absurd timestamps, 10 MB bodies, a 100,000-character token, deeply nested JSON and a flood of
duplicates. Replayed through a real worker, the counts reconcile exactly (records in =
records with events + records without events + dead letters), the events are exactly what the
offline tagger makes of the accepted records, the indicators are the batch recomputation over
the distinct events, and the worker still codes a valid article afterwards.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from streams.agents.deadletter import MAX_KEPT_BYTES, reason_of
from streams.codec import default_registry
from streams.indicators import batch_indicators
from streams.lag import read_all, wait_caught_up
from streams.records import article_from_mapping, decode_article, parse_time
from streams.settings import Settings
from streams.tagging import Tagger
from streams.timecheck import check_article_times
from tests.integration.independent import decode
from tests.integration.webclient import get, with_web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "hostile"))
from make_corpus import Case, duplicate_flood, large_cases, load_small  # noqa: E402

#: Above the 10 MB cases: the topic and the producer must both allow such records.
BIG_RECORD_BYTES = 16 * 1024 * 1024

AFTER = {
    "id": "hostile-after", "source": "wire", "url": "https://example.org/after",
    "title": "Israel and Albania sign cybersecurity cooperation agreement",
    "body": "Israel and Albania signed an agreement on cybersecurity cooperation in Tirana.",
    "language": "en", "published_at": "2022-09-20T08:00:00Z",
}


def offline(case: Case, timestamp_ms: int, tagger: Tagger) -> tuple[str, list[dict[str, Any]], str]:
    """What the tag agent must do with ``case``: the same functions, without Kafka."""
    try:
        article = decode_article(case.value, default_registry())
        if article["ingested_at"] is None:
            article["ingested_at"] = parse_time(timestamp_ms, "timestamp")
        check_article_times(article, datetime.now(tz=UTC), 1979, 86400)
        return "processed", tagger.tag(article), ""
    except Exception as exc:  # noqa: BLE001 - the outcome is the point
        return f"dead:{type(exc).__name__}", [], reason_of(exc)


def test_corpus_outcomes_offline() -> None:
    """The corpus says what it means: each case's declared outcome is what the functions do."""
    from streams.settings import load_settings

    tagger = Tagger.from_settings(load_settings())
    for case in load_small() + large_cases():
        outcome, events, reason = offline(case, 1_662_541_200_000, tagger)
        assert (case.name, outcome) == (case.name, case.expect)
        assert case.reason in reason, case.name
        if case.name in ("avro-valid", "bidi-override", "nul-escaped", "body-10mb", "unknown-language"):
            assert {e["dyad"] for e in events} == {"ALB-IRN"}, case.name


def without_now(reason: str) -> str:
    return re.sub(r"is later than \S+ ", "is later than <now> ", reason)


def raise_record_limit(settings: Settings) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, settings.topic("news_raw"),
                                            configs={"max.message.bytes": str(BIG_RECORD_BYTES)})])
    finally:
        admin.close()


@pytest.mark.broker
@pytest.mark.slow
def test_hostile_corpus_through_a_worker_reconciles_exactly(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any], tmp_path: Path
) -> None:
    settings = with_web(make_settings())
    raise_record_limit(settings)
    cases = load_small() + large_cases() + duplicate_flood(2000)
    news = settings.topic("news_raw")
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap, max_request_size=BIG_RECORD_BYTES)
    futures = [(case, producer.send(news, key=case.name.encode(), value=case.value)) for case in cases]
    producer.flush()
    sent = {(f.get().partition, f.get().offset): (case, f.get().timestamp) for case, f in futures}
    producer.close()
    assert len(sent) == len(cases)

    worker = worker_factory(settings)
    alive = lambda lag: worker.poll() is None or pytest.fail(f"the worker exited with {worker.returncode}")  # noqa: E731
    assert wait_caught_up(settings, settings.app.id, [news, settings.topic("events")], 240, on_poll=alive)

    tagger = Tagger.from_settings(settings)
    expected = {where: offline(case, ts, tagger) for where, (case, ts) in sent.items()}
    dead_expected = {where for where, out in expected.items() if out[0].startswith("dead:")}
    with_events = sum(1 for out in expected.values() if out[0] == "processed" and out[1])
    without_events = sum(1 for out in expected.values() if out[0] == "processed" and not out[1])
    # The corpus really exercises each branch.
    assert (len(dead_expected), with_events, without_events) == (24, 2010, 1)

    # Counters: every record in is accounted for, once.
    status, counters = get(settings, "/api/counters")
    assert status == 200
    assert counters["records_in"]["tag"] == len(cases)
    assert counters["dead_letters"] == {"tag:SchemaError": len(dead_expected)}
    assert counters["skipped"].get("tag:no-event", 0) == without_events
    assert counters["records_in"]["tag"] == with_events + without_events + len(dead_expected)

    # Dead letters: exactly the expected records, each with its reason, the value kept (bounded).
    dead = {}
    for message in read_all(settings, settings.topic("deadletter")):
        name, letter = decode(message.value)
        assert name == "DeadLetter"
        dead[(letter["partition"], letter["offset"])] = letter
    assert set(dead) == dead_expected
    for where, letter in dead.items():
        case, _ = sent[where]
        assert (letter["agent"], letter["topic"], letter["error_type"]) == ("tag", news, "SchemaError"), case.name
        # The allowance is relative to the processing time, which differs between the two runs.
        assert without_now(letter["reason"]).startswith(without_now(expected[where][2])), case.name
        assert case.reason in letter["reason"], case.name
        assert letter["key"] == case.name.encode()
        assert letter["value"] == case.value[:MAX_KEPT_BYTES]
    garbage = next(d for w, d in dead.items() if sent[w][0].name == "garbage-10mb")
    assert garbage["reason"].endswith(f"[value cut to its first {MAX_KEPT_BYTES} of {10 * 1024 * 1024} bytes]")

    # Events: exactly the offline tagger's output for the accepted records, duplicates included.
    expected_events = [ev for out in expected.values() for ev in out[1]]
    got_events = [decode(m.value)[1] for m in read_all(settings, settings.topic("events"))]
    assert Counter(e["event_id"] for e in got_events) == Counter(e["event_id"] for e in expected_events)
    by_id = {e["event_id"]: e for e in expected_events}
    assert all(e == by_id[e["event_id"]] for e in got_events)

    # Indicators: the duplicates counted once, equal to the batch recomputation.
    distinct = sorted(by_id.values(), key=lambda e: (e["event_time"], e["event_id"]))
    expected_snapshots, _, rejected = batch_indicators(distinct, settings.indicators)
    assert rejected == []
    assert wait_caught_up(settings, settings.app.id, [settings.topic("events")], 120, on_poll=alive)
    latest: dict[tuple[str, Any], dict[str, Any]] = {}
    for message in read_all(settings, settings.topic("indicators")):
        snap = decode(message.value)[1]
        key = (snap["dyad"], snap["as_of"])
        if key not in latest or snap["revision"] > latest[key]["revision"]:
            latest[key] = snap
    assert [s for _, s in sorted(latest.items())] == expected_snapshots

    # Still up: a valid article after all that is coded.
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    producer.send(news, key=b"hostile-after", value=json.dumps(AFTER).encode()).get(30)
    producer.close()
    assert wait_caught_up(settings, settings.app.id, [news], 60, on_poll=alive)
    after_events = tagger.tag({**article_from_mapping(AFTER), "ingested_at": datetime.now(tz=UTC)})
    assert after_events
    got_ids = {decode(m.value)[1]["event_id"] for m in read_all(settings, settings.topic("events"))}
    assert {e["event_id"] for e in after_events} <= got_ids
    assert worker.poll() is None
    log = (tmp_path / "worker-0.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
    assert "crashed" not in log.lower()
