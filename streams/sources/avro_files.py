"""Avro object container files of NewsArticle records → :class:`Item` per record.

The writer schema comes from the file itself (that is what container files are for); each
record is validated like a JSON article, so any schema with NewsArticle's field names works.
Positions are ``file:#n`` (the n-th record, 1-based): container files have no lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import avro.datafile
import avro.errors
import avro.io
import avro.schema

from streams.codec import default_registry
from streams.errors import InputError
from streams.sources import Bad, Item, article_item

MAGIC = b"Obj\x01"


def read_avro(path: Path) -> Iterator[Item | Bad]:
    """NewsArticle items from an Avro container file."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with handle:
        try:
            reader = avro.datafile.DataFileReader(handle, avro.io.DatumReader())
        except (avro.errors.AvroException, EOFError, ValueError) as exc:
            raise InputError(f"{path}: not an Avro container file ({exc})") from None
        number = 0
        try:
            for obj in reader:
                number += 1
                where = f"{path}:#{number}"
                yield article_item(where, obj)
        except (avro.errors.AvroException, EOFError, ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: corrupt after record #{number} ({type(exc).__name__}: {exc})") from None


def write_avro(path: Path, records: Iterable[dict[str, Any]], codec: str = "deflate") -> int:
    """Write NewsArticle records to a container file with the project's schema; returns the count."""
    schema = default_registry().schema("NewsArticle").standalone
    count = 0
    with path.open("wb") as handle:
        writer = avro.datafile.DataFileWriter(handle, avro.io.DatumWriter(), avro.schema.parse(json.dumps(schema)), codec=codec)
        for record in records:
            writer.append(record)
            count += 1
        writer.flush()
        writer.close()
    return count
