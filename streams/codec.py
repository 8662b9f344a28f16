"""Avro single-object encoding over the schemas in ``schemas/``.

A value is ``C3 01`` + the writer schema's 8-byte little-endian CRC-64-AVRO fingerprint + the
Avro binary body (Avro specification, "Single-object encoding"). A reader finds the writer
schema by fingerprint among the ``.avsc`` files, so no schema registry is needed::

    from streams.codec import default_registry
    reg = default_registry()
    data = reg.encode("TaggedEvent", event)     # bytes
    name, record = reg.decode(data)             # ("TaggedEvent", {...})

Timestamps (``timestamp-millis``) are timezone-aware UTC ``datetime`` objects in records.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastavro
import fastavro.validation

from streams.avro_schemas import LegacySchema, RecordSchema, load_legacy, load_schemas
from streams.avro_writer import Unsupported, compile_writer
from streams.errors import SchemaError
from streams.settings import resource_dir

MAGIC = b"\xc3\x01"
HEADER_SIZE = 10

#: What fastavro's reader raises on a body that is cut short, has a bad union or enum index, an
#: absurd length or invalid UTF-8 (its C reader has no exception class of its own).
_READ_ERRORS = (EOFError, ValueError, IndexError, KeyError, TypeError, OverflowError, MemoryError, UnicodeDecodeError)


class SchemaRegistry:
    """The named record schemas of one folder, by name and by fingerprint.

    ``by_fingerprint`` holds each schema's specification fingerprint, the only one writers
    use. ``legacy`` holds the fingerprints geotension 0.1.x wrote with the schemas it wrote
    them with (see :mod:`streams.avro_schemas`): readers decode such a record with that
    writer schema, resolved to the current one, through the 0.x releases.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_name: dict[str, RecordSchema] = load_schemas(folder)
        self.by_fingerprint: dict[bytes, tuple[str, RecordSchema]] = {
            schema.fingerprint: (schema.name, schema) for schema in self.by_name.values()
        }
        self.legacy: dict[bytes, LegacySchema] = {
            old.fingerprint: old for old in load_legacy().values()
            if old.name in self.by_name and old.fingerprint not in self.by_fingerprint
        }
        self._encoders: dict[str, Callable[[Mapping[str, Any]], bytes]] = {}

    def fingerprint(self, name: str) -> bytes:
        """The 8-byte CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form."""
        return self.schema(name).fingerprint

    def schema(self, name: str) -> RecordSchema:
        """A record schema by its (short) name."""
        try:
            return self.by_name[name]
        except KeyError:
            raise SchemaError(f"unknown schema `{name}` (known: {', '.join(sorted(self.by_name))})") from None

    def encoder(self, name: str) -> Callable[[Mapping[str, Any]], bytes]:
        """``encode(record) -> bytes``: single-object encoding with schema ``name``.

        The compiled writer of :mod:`streams.avro_writer` does the work; a record it cannot
        write goes through :meth:`encode_reference`, which explains or writes it.
        """
        encode = self._encoders.get(name)
        if encode is not None:
            return encode
        schema = self.schema(name)
        header = MAGIC + schema.fingerprint
        try:
            write = compile_writer(schema.standalone)
        except Unsupported:
            def encode(record: Mapping[str, Any]) -> bytes:
                return self.encode_reference(name, record)
        else:
            def encode(record: Mapping[str, Any]) -> bytes:
                out = bytearray(header)
                try:
                    write(record, out)
                except Exception:  # noqa: BLE001 - fastavro decides and explains
                    return self.encode_reference(name, record)
                return bytes(out)
        self._encoders[name] = encode
        return encode

    def encode(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Single-object encode ``record`` with schema ``name``."""
        return self.encoder(name)(record)

    def encode_reference(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Single-object encode with fastavro after validating (slower; names what is wrong)."""
        schema = self.schema(name)
        try:
            fastavro.validation.validate(record, schema.parsed, raise_errors=True)
            buffer = io.BytesIO()
            buffer.write(MAGIC + schema.fingerprint)
            fastavro.schemaless_writer(buffer, schema.parsed, record)
        except Exception as exc:  # noqa: BLE001 - fastavro's errors have no common class
            raise SchemaError(f"record does not match schema `{name}`: {_short(exc)}") from exc
        return buffer.getvalue()

    def decode(self, data: bytes, expect: str | None = None) -> tuple[str, dict[str, Any]]:
        """Decode single-object bytes into (schema name, record).

        Raises SchemaError for a missing marker, an unknown fingerprint, a truncated or
        malformed body, trailing bytes, or (with ``expect``) a record of another schema.
        """
        if len(data) < HEADER_SIZE or data[:2] != MAGIC:
            raise SchemaError("not Avro single-object encoding (missing C3 01 marker or header)")
        fingerprint = bytes(data[2:HEADER_SIZE])
        found = self.by_fingerprint.get(fingerprint)
        if found is not None:
            name, writer, reader = found[0], found[1].parsed, None
        elif fingerprint in self.legacy:
            old = self.legacy[fingerprint]
            name, writer = old.name, old.parsed
            current = self.by_name[name]
            # Schema resolution only where the schema changed since 0.1.x (it costs time).
            reader = None if old.canonical_form == current.canonical_form else current.parsed
        else:
            raise SchemaError(f"unknown schema fingerprint {fingerprint.hex()} (not in {self.folder.name}/)")
        if expect is not None and name != expect:
            raise SchemaError(f"expected a `{expect}` record, got `{name}`")
        buffer = io.BytesIO(data)
        buffer.seek(HEADER_SIZE)
        try:
            record = fastavro.schemaless_reader(buffer, writer, reader)
        except _READ_ERRORS as exc:
            raise SchemaError(f"`{name}` body is truncated or malformed: {_short(exc)}") from exc
        if buffer.tell() != len(data):
            raise SchemaError(f"`{name}` body has {len(data) - buffer.tell()} trailing bytes")
        if not isinstance(record, dict):
            raise SchemaError(f"`{name}` body did not decode to a record")
        return name, record


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def schema_dir() -> Path:
    """``$GEOTENSION_SCHEMA_DIR``, else the project's ``schemas/`` (bundled in an installed package)."""
    env = os.environ.get("GEOTENSION_SCHEMA_DIR")
    return Path(env) if env else resource_dir("schemas")


@lru_cache(maxsize=4)
def registry_for(folder: Path) -> SchemaRegistry:
    """A cached registry per folder (parsing schemas is slow)."""
    return SchemaRegistry(folder)


def default_registry() -> SchemaRegistry:
    """The registry over :func:`schema_dir`."""
    return registry_for(schema_dir())
