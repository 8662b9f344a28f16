"""The compiled Avro writer gives exactly the reference writer's bytes, or defers to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.avro_fast import compile_encoder
from streams.codec import default_registry
from streams.errors import SchemaError
from streams.sources.gdelt import GdeltRules, Skip, classify

REGISTRY = default_registry()
ARTICLE = compile_encoder(REGISTRY, "NewsArticle")
EVENT = compile_encoder(REGISTRY, "TaggedEvent")
GDELT = Path(__file__).resolve().parents[1] / "data" / "gdelt" / "gdelt2_alb_irn_isr.export.tsv"

times = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                                          timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))])))
text = st.text(max_size=60)
articles = st.fixed_dictionaries({
    "id": text, "source": st.one_of(st.none(), text), "url": st.one_of(st.none(), text), "title": text,
    "body": st.text(max_size=400), "language": st.one_of(st.none(), text), "published_at": times, "ingested_at": times,
})


@settings(max_examples=300, deadline=None)
@given(articles)
def test_articles_encode_byte_for_byte(record: dict) -> None:
    assert ARTICLE(record) == REGISTRY.encode_reference("NewsArticle", record)


def test_tagged_events_with_records_enums_arrays_and_unions() -> None:
    rules = GdeltRules(frozenset({"ALB", "IRN", "ISR"}))
    events = [e for e in (classify(line, rules) for line in GDELT.read_bytes().splitlines()) if not isinstance(e, Skip)]
    assert len(events) == 31
    events[0]["evidence"]["spans"] = [{"start": 0, "end": 5, "label": "SOURCE"}, {"start": 7, "end": 70000, "label": "TRIGGER"}]
    events[1]["goldstein"] = -10  # an int where a double is expected is still a double
    for event in events:
        assert EVENT(event) == REGISTRY.encode_reference("TaggedEvent", event)


def test_invalid_records_get_the_reference_error() -> None:
    record = {"id": "x", "title": 5, "body": ""}
    with pytest.raises(SchemaError, match="record does not match schema `NewsArticle`"):
        ARTICLE(record)
    # Missing optional fields: the reference writer reads them as null, and so does the result.
    sparse = {"id": "x", "title": "t", "body": ""}
    assert ARTICLE(sparse) == REGISTRY.encode_reference("NewsArticle", sparse)
