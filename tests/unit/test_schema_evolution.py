"""Records written with an earlier version of a schema stay readable (schemas/previous/)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import fastavro

from streams.avro_schemas import load_previous
from streams.codec import MAGIC, default_registry
from streams.indicators import IndicatorEngine
from streams.indicators.engine import to_ms
from tests.unit.indicators.fixtures import T0, days, make_event
from tests.unit.indicators.test_engine import CFG

PREVIOUS = Path(__file__).resolve().parents[2] / "schemas" / "previous"


def test_a_first_version_alert_reads_as_the_current_record_with_defaults() -> None:
    (old,) = load_previous(PREVIOUS)
    assert (old.name, old.fingerprint.hex(), old.legacy_fingerprint.hex()) == (
        "EscalationAlert", "e09b43ff36706d82", "f17b2d34927bd60a")
    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    (alert,) = engine.apply(state, make_event("a", T0, cameo="195", goldstein=-10.0), to_ms(T0 + days(1))).alerts
    written = {k: v for k, v in alert.items() if k not in ("status", "replaces", "correction")}
    registry = default_registry()
    for fingerprint in (old.fingerprint, old.legacy_fingerprint):
        buffer = io.BytesIO()
        buffer.write(MAGIC + fingerprint)
        fastavro.schemaless_writer(buffer, old.parsed, written)
        name, record = registry.decode(buffer.getvalue(), expect="EscalationAlert")
        assert name == "EscalationAlert"
        assert (record["status"], record["replaces"], record["correction"]) == ("RAISED", None, 0)
        assert record == registry.decode(registry.encode("EscalationAlert", alert))[1]
    assert registry.fingerprint("EscalationAlert").hex() == "9d546f9f360e8d25"
    assert alert["as_of"] == datetime(2022, 9, 8, tzinfo=UTC)
