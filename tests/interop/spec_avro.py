"""Avro written from the specification alone: Parsing Canonical Form, CRC-64-AVRO, binary decoding.

Independent of ``streams`` and of every Avro library, so that what the tests check is the wire
format of the specification (https://avro.apache.org/docs/1.12.0/specification/), not one
implementation agreeing with itself. Covers what the schemas of this project use.
"""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = {"record", "enum", "fixed"}
#: "Parsing Canonical Form" [ORDER]: the attributes kept, in this order ([STRIP] drops the rest).
ORDER = ("name", "type", "fields", "symbols", "items", "values", "size")

# -- schemas --------------------------------------------------------------------------------


def _fullname(name: str, namespace: str | None) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


class Schemas:
    """Every named type of a folder of .avsc files, by full name."""

    def __init__(self, folder: Path) -> None:
        self.docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.avsc"))}
        self.types: dict[str, tuple[dict[str, Any], str | None]] = {}
        for doc in self.docs.values():
            self._define(doc, None)

    def _define(self, node: Any, namespace: str | None) -> None:
        if isinstance(node, list):
            for branch in node:
                self._define(branch, namespace)
        elif isinstance(node, dict):
            if node.get("type") in NAMED:
                full = _fullname(node["name"], node.get("namespace", namespace))
                inner = full.rpartition(".")[0] or None
                self.types[full] = (node, inner)
                for field in node.get("fields", []):
                    self._define(field["type"], inner)
            elif node.get("type") == "array":
                self._define(node["items"], namespace)
            elif node.get("type") == "map":
                self._define(node["values"], namespace)

    def canonical_form(self, stem: str) -> str:
        """The Parsing Canonical Form of one file's schema. A named type is written in full
        where it first occurs and by its full name after that, as a parser that resolved the
        other files' names sees the schema."""
        return self._canon(self.docs[stem], None, set())

    def _canon(self, node: Any, namespace: str | None, seen: set[str]) -> str:
        if isinstance(node, str):
            if node in PRIMITIVES:
                return json.dumps(node)
            full = _fullname(node, namespace)
            if full in seen:
                return json.dumps(full)
            definition, inner = self.types[full]
            return self._canon(definition, inner, seen)
        if isinstance(node, list):
            return "[" + ",".join(self._canon(b, namespace, seen) for b in node) + "]"
        kind = node["type"]
        if kind in PRIMITIVES:  # [PRIMITIVES]: {"type":"long", "logicalType": ...} is "long"
            return json.dumps(kind)
        if not isinstance(kind, str):  # {"type": {...}} is the inner schema
            return self._canon(kind, namespace, seen)
        if kind not in NAMED and kind not in ("array", "map"):  # a named type referred to as {"type": "X"}
            return self._canon(kind, namespace, seen)
        parts: dict[str, str] = {}
        if kind in NAMED:
            full = _fullname(node["name"], node.get("namespace", namespace))  # [FULLNAMES]
            if full in seen:
                return json.dumps(full)
            seen.add(full)
            namespace = full.rpartition(".")[0] or None
            parts["name"] = _string(full)
        parts["type"] = _string(kind)
        if kind == "record":
            parts["fields"] = "[" + ",".join(
                "{" + f'"name":{_string(f["name"])},"type":{self._canon(f["type"], namespace, seen)}' + "}"
                for f in node["fields"]
            ) + "]"
        if kind == "enum":
            parts["symbols"] = "[" + ",".join(_string(s) for s in node["symbols"]) + "]"
        if kind == "array":
            parts["items"] = self._canon(node["items"], namespace, seen)
        if kind == "map":
            parts["values"] = self._canon(node["values"], namespace, seen)
        if kind == "fixed":
            parts["size"] = str(int(node["size"]))  # [INTEGERS]
        return "{" + ",".join(f'"{key}":{parts[key]}' for key in ORDER if key in parts) + "}"  # [WHITESPACE]

    def resolve(self, node: Any, namespace: str | None) -> tuple[Any, str | None]:
        """A type reference resolved to its definition (and the namespace inside it)."""
        if isinstance(node, str) and node not in PRIMITIVES:
            return self.types[_fullname(node, namespace)]
        return node, namespace


def _string(text: str) -> str:
    # [STRINGS]: escapes become the UTF-8 characters themselves.
    return json.dumps(text, ensure_ascii=False)


# -- "Schema Fingerprints": CRC-64-AVRO -------------------------------------------------------

EMPTY = 0xC15D213AA4D7A795


def _table() -> list[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    return table


TABLE = _table()


def crc64_avro(data: bytes) -> bytes:
    """The 64-bit Rabin fingerprint of the specification, as 8 little-endian bytes (the
    single-object header's order)."""
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp.to_bytes(8, "little")


# -- "Binary Encoding": decoding ---------------------------------------------------------------


class Decoder:
    """Decodes one single-object encoded value with the writer schema found by fingerprint."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self.by_fingerprint = {
            crc64_avro(schemas.canonical_form(stem).encode("utf-8")): stem for stem in schemas.docs
        }

    def decode(self, value: bytes) -> tuple[str, dict[str, Any]]:
        """(schema name, record); raises ValueError for anything not per the specification."""
        if value[:2] != b"\xc3\x01":
            raise ValueError("no single-object marker C3 01")
        stem = self.by_fingerprint.get(bytes(value[2:10]))
        if stem is None:
            raise ValueError(f"unknown fingerprint {bytes(value[2:10]).hex()}")
        self.data, self.pos = bytes(value), 10
        record = self._read(self.schemas.docs[stem], None)
        if self.pos != len(self.data):
            raise ValueError(f"{len(self.data) - self.pos} bytes after the record")
        return stem, record

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            raise ValueError("truncated")
        self.pos += 1
        return self.data[self.pos - 1]

    def _long(self) -> int:
        # Variable-length zig-zag: 7 bits a byte, low group first, high bit set while more follow.
        shift = result = 0
        while True:
            byte = self._byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return (result >> 1) ^ -(result & 1)

    def _raw(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise ValueError("truncated")
        self.pos += size
        return self.data[self.pos - size:self.pos]

    def _read(self, node: Any, namespace: str | None) -> Any:
        node, namespace = self.schemas.resolve(node, namespace)
        if isinstance(node, list):  # union: the branch's index as a long, then the value
            index = self._long()
            if not 0 <= index < len(node):
                raise ValueError(f"union index {index}")
            return self._read(node[index], namespace)
        kind = node if isinstance(node, str) else node["type"]
        if not isinstance(kind, str):
            return self._read(kind, namespace)
        logical = node.get("logicalType") if isinstance(node, dict) else None
        if kind == "null":
            return None
        if kind == "boolean":
            byte = self._byte()
            if byte not in (0, 1):
                raise ValueError(f"boolean byte {byte}")
            return byte == 1
        if kind in ("int", "long"):
            n = self._long()
            if logical == "timestamp-millis":
                return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=n)
            return n
        if kind == "float":
            return struct.unpack("<f", self._raw(4))[0]
        if kind == "double":
            return struct.unpack("<d", self._raw(8))[0]
        if kind == "bytes":
            return self._raw(self._long())
        if kind == "string":
            return self._raw(self._long()).decode("utf-8")
        if kind == "enum":
            return node["symbols"][self._long()]
        if kind == "fixed":
            return self._raw(node["size"])
        if kind in ("array", "map"):
            out: list[Any] = []
            pairs: dict[str, Any] = {}
            while True:
                count = self._long()
                if count == 0:
                    break
                if count < 0:  # a block with its size in bytes
                    count = -count
                    self._long()
                for _ in range(count):
                    if kind == "map":
                        key = self._raw(self._long()).decode("utf-8")
                        pairs[key] = self._read(node["values"], namespace)
                    else:
                        out.append(self._read(node["items"], namespace))
            return pairs if kind == "map" else out
        if kind == "record":
            inner = _fullname(node["name"], node.get("namespace", namespace)).rpartition(".")[0] or None
            return {f["name"]: self._read(f["type"], inner) for f in node["fields"]}
        return self._read(kind, namespace)  # {"type": "geotension.Level"}
