"""The record schemas of a folder of ``.avsc`` files, with their canonical forms and fingerprints.

Our schemas refer to each other by full name (``TaggedEvent`` has two ``geotension.Actor``
fields, ``EscalationAlert`` a ``geotension.EscalationIndicator``). What a writer puts on the
wire, and what Apache Avro Java's ``Schema.toString()`` gives, is the *standalone* schema: each
named type written in full where it is first used (depth first, in field order) and by its full
name after that. :func:`load_schemas` builds that standalone form, then lets fastavro compute
the specification's Parsing Canonical Form and its CRC-64-AVRO fingerprint (fastavro's
``to_parsing_canonical_form`` is exact for a standalone schema; given a schema whose
references it resolves itself it writes the bare name, or with ``expand=True`` every use in
full, and both differ from the specification's form).

The fingerprints geotension 0.1.x wrote are different: it took Python ``avro`` 1.12's
canonical form, which keeps ``{"type":"long"}`` for a ``timestamp-millis`` long where the
specification writes ``"long"``, so every schema with a timestamp got a fingerprint no other
Avro implementation computes. ``schemas_0_1.json`` beside this module keeps those
fingerprints with the schemas as 0.1.x wrote them (frozen: a later schema change does not
touch it), so that :func:`load_legacy` lets readers decode such records, resolved to the
current schema, for topics that already hold them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastavro.schema

from streams.errors import SchemaError

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAMED = ("record", "error", "enum", "fixed")


@dataclass(frozen=True)
class RecordSchema:
    """One top-level record schema of the folder."""

    name: str
    full_name: str
    path: Path
    #: The schema with every reference to another file's type written in full at first use.
    standalone: dict[str, Any] = field(repr=False)
    #: fastavro's parsed form of ``standalone`` (what its reader and writer take).
    parsed: dict[str, Any] = field(repr=False)
    canonical_form: str = field(repr=False)
    #: 8 bytes: CRC-64-AVRO of ``canonical_form``, little-endian as in the single-object header.
    fingerprint: bytes = b""


@dataclass(frozen=True)
class LegacySchema:
    """A schema as geotension 0.1.x wrote it, with the fingerprint 0.1.x put in the header."""

    name: str
    #: 8 bytes, as in the header (CRC-64-AVRO of Python avro's canonical form).
    fingerprint: bytes
    #: fastavro's parsed form of the 0.1.x schema: the writer schema of such records.
    parsed: dict[str, Any] = field(repr=False)
    canonical_form: str = field(repr=False)


LEGACY_FILE = Path(__file__).resolve().parent / "schemas_0_1.json"


def _full(name: str, namespace: str | None) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _collect(node: Any, namespace: str | None, path: Path, found: dict[str, tuple[Any, str | None]]) -> None:
    """Every named type defined anywhere in ``node``, by full name, with its namespace."""
    if isinstance(node, list):
        for branch in node:
            _collect(branch, namespace, path, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in _NAMED:
        if not isinstance(node.get("name"), str):
            raise SchemaError(f"{path}: a {kind} without a name")
        full = _full(node["name"], node.get("namespace", namespace))
        if full in found:
            raise SchemaError(f"{path}: `{full}` is defined twice")
        inner = full.rpartition(".")[0] or None
        found[full] = (node, inner)
        for f in node.get("fields", ()):
            _collect(f.get("type") if isinstance(f, dict) else None, inner, path, found)
        return
    if kind in ("array", "map"):
        _collect(node.get("items" if kind == "array" else "values"), namespace, path, found)
    elif isinstance(kind, (dict, list)):
        _collect(kind, namespace, path, found)


def _standalone(node: Any, namespace: str | None, defined: set[str], types: dict[str, tuple[Any, str | None]],
                path: Path) -> Any:
    """A copy of ``node`` with names made full and each named type written in full once."""
    if isinstance(node, str):
        if node in PRIMITIVES:
            return node
        full = _full(node, namespace)
        if full not in types:
            raise SchemaError(f"{path}: unknown type `{node}` (not defined in any schema of the folder)")
        if full in defined:
            return full
        definition, inner = types[full]
        return _standalone(definition, inner, defined, types, path)
    if isinstance(node, list):
        return [_standalone(branch, namespace, defined, types, path) for branch in node]
    if not isinstance(node, dict):
        raise SchemaError(f"{path}: not a schema: {json.dumps(node)[:80]}")
    kind = node.get("type")
    out = {k: v for k, v in node.items() if k not in ("type", "namespace")}
    if kind in _NAMED:
        full = _full(node["name"], node.get("namespace", namespace))
        if full in defined:  # defined earlier in this schema, e.g. by a reference written out in full
            return full
        defined.add(full)  # before the fields, so a recursive reference stays a name
        inner = full.rpartition(".")[0] or None
        out = {"type": kind, **{k: v for k, v in out.items() if k != "name"}, "name": full}
        if "fields" in node:
            out["fields"] = [{**f, "type": _standalone(f["type"], inner, defined, types, path)} for f in node["fields"]]
        return out
    if kind in ("array", "map"):
        key = "items" if kind == "array" else "values"
        return {"type": kind, **out, key: _standalone(node.get(key), namespace, defined, types, path)}
    return {"type": _standalone(kind, namespace, defined, types, path), **out}


def load_schemas(folder: Path) -> dict[str, RecordSchema]:
    """Every top-level record schema of ``folder``'s ``.avsc`` files, by short name.

    Raises :class:`SchemaError` naming the file for unreadable JSON, a top-level schema that
    is not a record, a type defined twice or a reference to a type no file defines.
    """
    files = sorted(folder.glob("*.avsc"))
    if not files:
        raise SchemaError(f"{folder}: no .avsc schema files found")
    docs: dict[Path, dict[str, Any]] = {}
    types: dict[str, tuple[Any, str | None]] = {}
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SchemaError(f"{path}: not a JSON schema ({exc})") from exc
        if not isinstance(doc, dict) or doc.get("type") not in ("record", "error"):
            raise SchemaError(f"{path}: top-level schema must be a record")
        _collect(doc, None, path, types)
        docs[path] = doc
    schemas: dict[str, RecordSchema] = {}
    for path, doc in docs.items():
        standalone = _standalone(copy.deepcopy(doc), None, set(), types, path)
        try:
            parsed = fastavro.schema.parse_schema(copy.deepcopy(standalone))
        except Exception as exc:  # noqa: BLE001 - fastavro raises several kinds for a bad schema
            raise SchemaError(f"{path}: {exc}") from exc
        if not isinstance(parsed, dict):
            raise SchemaError(f"{path}: top-level schema must be a record")
        canonical = fastavro.schema.to_parsing_canonical_form(parsed)
        full = standalone["name"]
        short = full.rpartition(".")[2]
        schemas[short] = RecordSchema(
            name=short, full_name=full, path=path, standalone=standalone, parsed=parsed, canonical_form=canonical,
            fingerprint=bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO")),
        )
    return schemas


def load_legacy(path: Path = LEGACY_FILE) -> dict[str, LegacySchema]:
    """The 0.1.x schemas and fingerprints, by short name."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"{path}: cannot read the 0.1.x schemas ({exc})") from exc
    legacy = {}
    for name, entry in document["schemas"].items():
        parsed = fastavro.schema.parse_schema(copy.deepcopy(entry["schema"]))
        assert isinstance(parsed, dict)
        legacy[name] = LegacySchema(name=name, fingerprint=bytes.fromhex(entry["fingerprint"]), parsed=parsed,
                                    canonical_form=fastavro.schema.to_parsing_canonical_form(parsed))
    return legacy
