"""fastavro and a decoder written from the specification agree with our codec on every record type."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import fastavro
import pytest

from streams.codec import MAGIC, default_registry
from tests.interop.samples import SAMPLES
from tests.interop.spec_avro import Decoder, Schemas

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
VECTORS = json.loads((SCHEMAS.parent / "tests" / "data" / "avro" / "fingerprints.json").read_text(encoding="utf-8"))["schemas"]


def _fastavro_schemas() -> dict[str, Any]:
    """fastavro's own parse of the .avsc files (names resolved by fastavro, not by us)."""
    named: dict[str, Any] = {}
    parsed = {}
    for stem in ("Actor", "NewsArticle", "TaggedEvent", "EscalationIndicator", "EscalationAlert", "DeadLetter"):
        parsed[stem] = fastavro.parse_schema(json.loads((SCHEMAS / f"{stem}.avsc").read_text(encoding="utf-8")),
                                             named_schemas=named)
    return parsed


FASTAVRO = _fastavro_schemas()
SPEC = Decoder(Schemas(SCHEMAS))


@pytest.mark.parametrize(("name", "record"), SAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SAMPLES)])
def test_fastavro_reads_what_we_write(name: str, record: dict[str, Any]) -> None:
    data = default_registry().encode(name, record)
    assert data[:10] == MAGIC + bytes.fromhex(VECTORS[name]["fingerprint"])
    buffer = io.BytesIO(data[10:])
    assert fastavro.schemaless_reader(buffer, FASTAVRO[name], None) == record
    assert buffer.tell() == len(data) - 10


@pytest.mark.parametrize(("name", "record"), SAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SAMPLES)])
def test_we_read_what_fastavro_writes_and_write_the_same_bytes(name: str, record: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    buffer.write(MAGIC + bytes.fromhex(VECTORS[name]["fingerprint"]))
    fastavro.schemaless_writer(buffer, FASTAVRO[name], record)
    assert default_registry().decode(buffer.getvalue()) == (name, record)
    assert default_registry().encode(name, record) == buffer.getvalue()


@pytest.mark.parametrize(("name", "record"), SAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SAMPLES)])
def test_a_decoder_written_from_the_specification_reads_what_we_write(name: str, record: dict[str, Any]) -> None:
    assert SPEC.decode(default_registry().encode(name, record)) == (name, record)
