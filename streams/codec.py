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
import json
import os
import struct
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import avro.errors
import avro.io
import avro.schema

from streams.errors import SchemaError
from streams.settings import PACKAGE_ROOT

MAGIC = b"\xc3\x01"
HEADER_SIZE = 10


class SchemaRegistry:
    """The named record schemas of one folder, by name and by fingerprint."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_name: dict[str, avro.schema.RecordSchema] = {}
        self.by_fingerprint: dict[bytes, tuple[str, avro.schema.RecordSchema]] = {}
        self._writers: dict[str, avro.io.DatumWriter] = {}
        self._readers: dict[bytes, avro.io.DatumReader] = {}
        self._compiled: dict[str, Any] = {}
        self._fast_readers: dict[bytes, Any] = {}
        self._load()

    def _load(self) -> None:
        files = sorted(self.folder.glob("*.avsc"))
        if not files:
            raise SchemaError(f"{self.folder}: no .avsc schema files found")
        pending: dict[Path, Any] = {}
        for path in files:
            try:
                pending[path] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SchemaError(f"{path}: not a JSON schema ({exc})") from exc
        names = avro.schema.Names()
        # Schemas refer to each other by full name; parse until every reference resolves.
        while pending:
            progressed = False
            errors: dict[Path, str] = {}
            for path, doc in list(pending.items()):
                trial = avro.schema.Names(default_namespace=names.default_namespace)
                trial.names = dict(names.names)
                try:
                    avro.schema.make_avsc_object(doc, trial)
                except avro.errors.SchemaParseException as exc:
                    errors[path] = str(exc)
                    continue
                parsed = avro.schema.make_avsc_object(doc, names)
                if not isinstance(parsed, avro.schema.RecordSchema):
                    raise SchemaError(f"{path}: top-level schema must be a record")
                self.by_name[parsed.name] = parsed
                self.by_fingerprint[parsed.fingerprint("CRC-64-AVRO")] = (parsed.name, parsed)
                del pending[path]
                progressed = True
            if not progressed:
                path, why = next(iter(errors.items()))
                raise SchemaError(f"{path}: {why}")

    def fingerprint(self, name: str) -> bytes:
        """The 8-byte CRC-64-AVRO fingerprint of a schema's parsing canonical form."""
        return self.schema(name).fingerprint("CRC-64-AVRO")

    def schema(self, name: str) -> avro.schema.RecordSchema:
        """A record schema by its (short) name."""
        try:
            return self.by_name[name]
        except KeyError:
            raise SchemaError(f"unknown schema `{name}` (known: {', '.join(sorted(self.by_name))})") from None

    def encode(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Single-object encode ``record`` with schema ``name``.

        Uses a writer compiled from the schema (``streams.avro_fast``, byte-identical and much
        faster); anything it cannot write goes through :meth:`encode_reference`, which
        validates and raises :class:`SchemaError` naming the schema.
        """
        encoder = self._compiled.get(name)
        if encoder is None:
            from streams.avro_fast import compile_encoder

            encoder = self._compiled[name] = compile_encoder(self, name)
        return encoder(record)

    def encode_reference(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Single-object encode with the reference ``avro`` writer (validating, slow)."""
        schema = self.schema(name)
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = avro.io.DatumWriter(schema)
        buffer = io.BytesIO()
        buffer.write(MAGIC)
        buffer.write(schema.fingerprint("CRC-64-AVRO"))
        try:
            writer.write(record, avro.io.BinaryEncoder(buffer))
        except (avro.errors.AvroException, TypeError, ValueError, AttributeError) as exc:
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
        if found is None:
            raise SchemaError(f"unknown schema fingerprint {fingerprint.hex()} (not in {self.folder.name}/)")
        name, schema = found
        if expect is not None and name != expect:
            raise SchemaError(f"expected a `{expect}` record, got `{name}`")
        fast = self._fast_readers.get(fingerprint, False)
        if fast is False:
            from streams.avro_fast import compile_decoder

            fast = self._fast_readers[fingerprint] = compile_decoder(schema)
        if fast is not None:
            try:
                return name, fast(bytes(data), HEADER_SIZE)
            except Exception:  # noqa: BLE001 - the reference reader decides and explains
                pass
        reader = self._readers.get(fingerprint)
        if reader is None:
            reader = self._readers[fingerprint] = avro.io.DatumReader(schema)
        buffer = io.BytesIO(data)
        buffer.seek(HEADER_SIZE)
        try:
            record = reader.read(avro.io.BinaryDecoder(buffer))
        except (avro.errors.AvroException, EOFError, struct.error, UnicodeDecodeError, ValueError,
                OverflowError, IndexError, TypeError) as exc:
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
    """``$GEOTENSION_SCHEMA_DIR`` or the project's ``schemas/`` folder."""
    env = os.environ.get("GEOTENSION_SCHEMA_DIR")
    return Path(env) if env else PACKAGE_ROOT / "schemas"


@lru_cache(maxsize=4)
def registry_for(folder: Path) -> SchemaRegistry:
    """A cached registry per folder (parsing schemas is slow)."""
    return SchemaRegistry(folder)


def default_registry() -> SchemaRegistry:
    """The registry over :func:`schema_dir`."""
    return registry_for(schema_dir())
