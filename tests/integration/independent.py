"""A consumer's view: decode topic values with nothing but schemas/ and the Avro spec.

Deliberately independent of ``streams.codec`` so the end-to-end tests check the wire format
itself, as another team's program would read it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import avro.io
import avro.schema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _load() -> dict[bytes, Any]:
    names = avro.schema.Names()
    docs = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.avsc")}
    parsed = {}
    for stem in ("Actor", "NewsArticle", "TaggedEvent", "EscalationIndicator", "EscalationAlert", "DeadLetter"):
        parsed[stem] = avro.schema.make_avsc_object(docs[stem], names)
    return {schema.fingerprint("CRC-64-AVRO"): schema for schema in parsed.values()}


BY_FINGERPRINT = _load()


def decode(value: bytes) -> tuple[str, dict[str, Any]]:
    """(schema name, record) of one single-object encoded value."""
    assert value[:2] == b"\xc3\x01", value[:10]
    schema = BY_FINGERPRINT[value[2:10]]
    record = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
    return schema.name, record


def encode(name: str, record: dict[str, Any]) -> bytes:
    """Single-object encode ``record`` with the schema called ``name``."""
    schema = next(s for s in BY_FINGERPRINT.values() if s.name == name)
    buffer = io.BytesIO()
    buffer.write(b"\xc3\x01" + schema.fingerprint("CRC-64-AVRO"))
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(buffer))
    return buffer.getvalue()
