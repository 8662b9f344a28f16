"""``geotension schemas``: the record schemas, their fingerprints and files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from streams.avro_schemas import load_legacy
from streams.codec import SchemaRegistry, schema_dir
from streams.errors import InputError, SchemaError


@click.command()
@click.option("--schema-dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of .avsc files (default: $GEOTENSION_SCHEMA_DIR, else the project's schemas/).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per schema, with its Parsing Canonical Form.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write each schema as one self-contained .avsc file into this folder.")
def schemas(folder: Path | None, as_json: bool, export_dir: Path | None) -> None:
    """List each record schema with its fingerprint and file.

    The fingerprint is the CRC-64-AVRO of the schema's Parsing Canonical Form, as the
    single-object header carries it (8 bytes, little-endian, in hex): what every Avro library
    computes. The 0.1.x column is the fingerprint geotension 0.1.x wrote for the schema as it
    was then; readers still accept it ("-": the schema is newer than 0.1.x).

    --export writes every schema self-contained (each type it refers to written out in full at
    first use): one file is then enough for any Avro library, with no other file to resolve.

    \b
    Examples:
        geotension schemas
        geotension schemas --json | jq -r .canonical_form
        geotension schemas --export /tmp/geotension-schemas
    """
    folder = folder or schema_dir()
    if not folder.is_dir():
        raise SchemaError(f"{folder}: no such schema folder")
    registry = SchemaRegistry(folder)
    records = [registry.by_name[name] for name in sorted(registry.by_name)]
    legacy = {name: old.fingerprint.hex() for name, old in load_legacy().items()}
    if export_dir is not None:
        try:
            export_dir.mkdir(parents=True, exist_ok=True)
            for schema in records:
                (export_dir / f"{schema.full_name}.avsc").write_text(
                    json.dumps(schema.standalone, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{export_dir}: cannot write ({exc.strerror or exc})") from None
    if as_json:
        for schema in records:
            click.echo(json.dumps({
                "name": schema.full_name, "fingerprint": schema.fingerprint.hex(),
                "legacy_fingerprint": legacy.get(schema.name), "file": os.fspath(schema.path),
                "canonical_form": schema.canonical_form,
            }, ensure_ascii=False))
        return
    rows = [("schema", "fingerprint", "0.1.x (read)", "file")]
    rows += [(s.full_name, s.fingerprint.hex(), legacy.get(s.name, "-"), os.fspath(s.path)) for s in records]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    if export_dir is not None:
        click.echo(f"wrote {len(records)} self-contained schemas to {export_dir}", err=True)


COMMANDS = [schemas]
