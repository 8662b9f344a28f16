"""A consumer's view: decode topic values with nothing but schemas/ and the Avro specification.

Deliberately independent of ``streams.codec`` so the end-to-end tests check the wire format
itself, as another team's program would read it: decoding is the decoder written from the
specification (tests/interop/spec_avro.py), encoding is fastavro's with the specification's
fingerprint.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import fastavro

from tests.interop.spec_avro import Decoder, Schemas, crc64_avro

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
_SPEC = Schemas(SCHEMAS)
_DECODER = Decoder(_SPEC)


def _fastavro() -> dict[str, Any]:
    named: dict[str, Any] = {}
    return {
        stem: fastavro.parse_schema(json.loads((SCHEMAS / f"{stem}.avsc").read_text(encoding="utf-8")), named_schemas=named)
        for stem in ("Actor", "NewsArticle", "TaggedEvent", "EscalationIndicator", "EscalationAlert", "DeadLetter")
    }


_PARSED = _fastavro()


def decode(value: bytes) -> tuple[str, dict[str, Any]]:
    """(schema name, record) of one single-object encoded value."""
    assert value[:2] == b"\xc3\x01", value[:10]
    return _DECODER.decode(value)


def encode(name: str, record: dict[str, Any]) -> bytes:
    """Single-object encode ``record`` with the schema called ``name``."""
    buffer = io.BytesIO()
    buffer.write(b"\xc3\x01" + crc64_avro(_SPEC.canonical_form(name).encode("utf-8")))
    fastavro.schemaless_writer(buffer, _PARSED[name], record)
    return buffer.getvalue()
