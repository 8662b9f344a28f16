"""The compiled Avro writer gives exactly fastavro's bytes, or leaves the record to fastavro."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import fastavro
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.avro_writer import compile_writer
from streams.codec import MAGIC, default_registry
from streams.sources.gdelt import GdeltRules, Skip, classify

REGISTRY = default_registry()
GDELT = Path(__file__).resolve().parents[1] / "data" / "gdelt" / "gdelt2_alb_irn_isr.export.tsv"

times = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                                          timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))])))
text = st.text(max_size=60)
articles = st.fixed_dictionaries({
    "id": text, "source": st.one_of(st.none(), text), "url": st.one_of(st.none(), text), "title": text,
    "body": st.text(max_size=400), "language": st.one_of(st.none(), text), "published_at": times, "ingested_at": times,
})


def fastavro_bytes(name: str, record: dict) -> bytes:
    schema = REGISTRY.schema(name)
    buffer = io.BytesIO()
    buffer.write(MAGIC + schema.fingerprint)
    fastavro.schemaless_writer(buffer, schema.parsed, record)
    return buffer.getvalue()


def compiled_bytes(name: str, record: dict) -> bytes:
    out = bytearray(MAGIC + REGISTRY.fingerprint(name))
    compile_writer(REGISTRY.schema(name).standalone)(record, out)
    return bytes(out)


@settings(max_examples=300, deadline=None)
@given(articles)
def test_articles_encode_byte_for_byte(record: dict) -> None:
    assert compiled_bytes("NewsArticle", record) == fastavro_bytes("NewsArticle", record)


def test_tagged_events_with_records_enums_arrays_and_unions() -> None:
    rules = GdeltRules(frozenset({"ALB", "IRN", "ISR"}))
    events = [e for e in (classify(line, rules) for line in GDELT.read_bytes().splitlines()) if not isinstance(e, Skip)]
    assert len(events) == 31
    events[0]["evidence"]["spans"] = [{"start": 0, "end": 5, "label": "SOURCE"}, {"start": 7, "end": 70000, "label": "TRIGGER"}]
    events[1]["goldstein"] = -10  # an int where a double is expected is still a double
    for event in events:
        assert compiled_bytes("TaggedEvent", event) == fastavro_bytes("TaggedEvent", event)
        assert REGISTRY.encode("TaggedEvent", event) == fastavro_bytes("TaggedEvent", event)


def test_a_naive_timestamp_is_utc_as_in_fastavro() -> None:
    record = {"id": "x", "source": None, "url": None, "title": "t", "body": "", "language": None,
              "published_at": datetime(2020, 1, 1, 12), "ingested_at": None}
    assert compiled_bytes("NewsArticle", record) == fastavro_bytes("NewsArticle", record)
    assert REGISTRY.decode(compiled_bytes("NewsArticle", record))[1]["published_at"] == datetime(2020, 1, 1, 12, tzinfo=UTC)
