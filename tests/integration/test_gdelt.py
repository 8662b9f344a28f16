"""Real GDELT 2.0 rows through ``geotension replay`` and a real worker into tension.events.

Expected events are checked field by field for the rows that matter (IRN–ISR pairs, codes with
leading zeros) and as whole records against :func:`streams.sources.gdelt.classify` (the
offline oracle) for all; skipped rows are read from the worker's ``/api/counters`` and
malformed rows from the dead-letter topic.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kafka import KafkaProducer

from streams.cli import cli
from streams.demo import worker_env
from streams.lag import read_all, wait_caught_up
from streams.settings import Settings
from streams.sources.gdelt import GdeltRules, Skip, classify
from tests.integration.independent import decode

pytestmark = [pytest.mark.broker, pytest.mark.slow]

DATA = Path(__file__).resolve().parents[1] / "data" / "gdelt"
FILES = [DATA / "gdelt2_alb_irn_isr.export.tsv", DATA / "gdelt2_sample.export.tsv"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_topic(settings: Settings, key: str) -> list[Any]:
    return read_all(settings, settings.topic(key))


def test_gdelt_rows_become_tagged_events(make_settings: Callable[..., Settings],
                                         worker_factory: Callable[[Settings], Any]) -> None:
    base = make_settings()
    settings = dataclasses.replace(base, web=dataclasses.replace(base.web, enabled=True, port=free_port()))
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("GEOTENSION_")}
    result = CliRunner().invoke(cli, ["replay", *map(str, FILES), "--silent"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 105, skipped 0, invalid 0 of 105 read")
    good = FILES[0].read_bytes().splitlines()[0].split(b"\t")
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    producer.send(settings.topic("gdelt_raw"), key=b"bad-1", value=b"\t".join(good[:40]))
    producer.send(settings.topic("gdelt_raw"), key=b"bad-2", value=b"\t".join([good[0], b"2017-07-01", *good[2:]]))
    producer.flush()
    producer.close()

    worker_factory(settings)
    assert wait_caught_up(settings, settings.app.id, [settings.topic("gdelt_raw")], 120.0), "worker did not catch up"

    events = {}
    for message in read_topic(settings, "events"):
        name, record = decode(message.value)
        assert name == "TaggedEvent"
        assert message.key == (record["dyad"] or record["article_id"]).encode()
        events[record["event_id"]] = record
    assert len(events) == 31

    pair = [e for e in events.values() if e["dyad"] == "IRN-ISR"]
    assert sorted((e["event_id"], e["source"]["country"], e["target"]["country"], e["cameo_code"], e["quad_class"],
                   e["goldstein"], e["num_sources"], e["event_time"]) for e in pair) == [
        ("gdelt-661116160", "ISR", "IRN", "012", 1, -0.4, 1, datetime(2017, 6, 1, tzinfo=UTC)),
        ("gdelt-661116161", "ISR", "IRN", "012", 1, -0.4, 1, datetime(2017, 6, 1, tzinfo=UTC)),
    ]
    lead = events["gdelt-669667597"]
    assert (lead["source"]["country"], lead["source"]["name"], lead["target"]["country"], lead["target"]["name"],
            lead["cameo_code"], lead["quad_class"], lead["goldstein"], lead["dyad"], lead["origin"], lead["modality"]) == (
        "RUS", "RUSSIAN", "IRN", "TEHRAN", "0871", 2, 9.0, None, "GDELT", "ASSERTED")

    rules = GdeltRules.from_settings(settings)
    oracle = [classify(line, rules) for f in FILES for line in f.read_bytes().splitlines()]
    expected = {e["event_id"]: e for e in oracle if not isinstance(e, Skip)}
    assert events == expected

    dead = [decode(m.value)[1] for m in read_topic(settings, "deadletter")]
    assert sorted((d["agent"], d["key"], d["reason"]) for d in dead) == [
        ("gdelt", b"bad-1", "GDELT row has 40 tab-separated columns, expected 61"),
        ("gdelt", b"bad-2", "GDELT SQLDATE is not a YYYYMMDD date: '2017-07-01'"),
    ]
    with urllib.request.urlopen(f"http://127.0.0.1:{settings.web.port}/api/counters", timeout=10) as response:
        counters = json.load(response)
    assert {k: v for k, v in counters["skipped"].items() if k.startswith("gdelt:")} == {
        "gdelt:no-actor-country": 67, "gdelt:not-watched": 7}
    assert counters["records_in"]["gdelt"] == 107
    assert counters["records_out"]["gdelt"] == 31
    assert {k: v for k, v in counters["dead_letters"].items() if k.startswith("gdelt:")} == {"gdelt:SchemaError": 2}
