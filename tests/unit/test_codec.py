"""Avro single-object encoding: round trips, fingerprints and clear errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.codec import MAGIC, default_registry
from streams.errors import SchemaError

ARTICLE = {
    "id": "a1",
    "source": "wire",
    "url": None,
    "title": "Albania expels Iranian diplomats",
    "body": "Tirana said two diplomats must leave.",
    "language": "en",
    "published_at": datetime(2018, 12, 19, 10, 0, tzinfo=UTC),
    "ingested_at": None,
}


def test_round_trip_keeps_every_field() -> None:
    reg = default_registry()
    data = reg.encode("NewsArticle", ARTICLE)
    name, record = reg.decode(data)
    assert name == "NewsArticle"
    assert record == ARTICLE


def test_header_is_marker_plus_little_endian_crc64_fingerprint() -> None:
    reg = default_registry()
    data = reg.encode("NewsArticle", ARTICLE)
    assert data[:2] == MAGIC == b"\xc3\x01"
    assert data[2:10] == reg.fingerprint("NewsArticle")
    # The specification's fingerprint, as Apache Avro Java computes it (tests/interop/ checks every schema).
    assert data[2:10].hex() == "59e661dfc003368f"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "missing C3 01"),
        (b"{}", "missing C3 01"),
        (MAGIC + b"\x00" * 8 + b"\x02a", "unknown schema fingerprint 0000000000000000"),
    ],
)
def test_bad_headers_are_named(data: bytes, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        default_registry().decode(data)


def test_truncated_body_is_a_schema_error() -> None:
    reg = default_registry()
    data = reg.encode("NewsArticle", ARTICLE)
    with pytest.raises(SchemaError, match="`NewsArticle` body is truncated or malformed"):
        reg.decode(data[:-5])


def test_trailing_bytes_are_rejected() -> None:
    reg = default_registry()
    with pytest.raises(SchemaError, match="1 trailing bytes"):
        reg.decode(reg.encode("NewsArticle", ARTICLE) + b"\x00")


def test_expected_schema_is_enforced() -> None:
    reg = default_registry()
    with pytest.raises(SchemaError, match="expected a `TaggedEvent` record, got `NewsArticle`"):
        reg.decode(reg.encode("NewsArticle", ARTICLE), expect="TaggedEvent")


def test_encoding_a_wrong_record_names_the_schema() -> None:
    with pytest.raises(SchemaError, match="record does not match schema `NewsArticle`"):
        default_registry().encode("NewsArticle", {**ARTICLE, "title": None})


def test_every_schema_has_namespace_and_field_docs() -> None:
    import json
    from pathlib import Path

    folder = Path(default_registry().folder)
    names = sorted(p.stem for p in folder.glob("*.avsc"))
    assert names == ["Actor", "DeadLetter", "EscalationAlert", "EscalationIndicator", "NewsArticle", "TaggedEvent"]
    for path in folder.glob("*.avsc"):
        doc = json.loads(path.read_text())
        assert doc["namespace"] == "geotension", path
        assert all(f.get("doc") for f in doc["fields"]), path


def test_missing_or_wrong_fields_name_the_field() -> None:
    reg = default_registry()
    with pytest.raises(SchemaError, match=r"record does not match schema `NewsArticle`: .*title"):
        reg.encode("NewsArticle", {**ARTICLE, "title": 5})
    with pytest.raises(SchemaError, match=r"record does not match schema `NewsArticle`: .*body"):
        reg.encode("NewsArticle", {k: v for k, v in ARTICLE.items() if k != "body"})


def test_missing_optional_fields_are_written_as_their_default() -> None:
    reg = default_registry()
    sparse = {"id": "x", "title": "t", "body": ""}
    assert reg.decode(reg.encode("NewsArticle", sparse)) == ("NewsArticle", {
        "id": "x", "source": None, "url": None, "title": "t", "body": "", "language": None,
        "published_at": None, "ingested_at": None,
    })
