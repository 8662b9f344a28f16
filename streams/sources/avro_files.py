"""Avro object container files of NewsArticle records → :class:`Item` per record.

The writer schema comes from the file itself (that is what container files are for); each
record is validated like a JSON article, so any schema with NewsArticle's field names works.
Files are read with fastavro, which decodes the null, deflate, snappy (cramjam), zstandard
(``backports.zstd`` before Python 3.14), bzip2 and xz block codecs that other writers use.
Positions are ``file:#n`` (the n-th record, 1-based): container files have no lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import avro.datafile
import avro.io
import avro.schema
import fastavro

from streams.codec import default_registry
from streams.errors import InputError
from streams.sources import Bad, Item, article_item

MAGIC = b"Obj\x01"

#: A damaged header or block surfaces as whatever fastavro or the codec's library raises (a
#: bad codec name, a cut block, a wrong sync marker, zlib/zstd/snappy/lzma errors of their own
#: classes, bytes that are not the schema's types): every one of them means a corrupt file.
_CORRUPT = (Exception,)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_avro(path: Path) -> Iterator[Item | Bad]:
    """NewsArticle items from an Avro container file (any codec fastavro reads)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with handle:
        yield from read_avro_stream(handle, str(path))


def read_avro_stream(handle: IO[bytes], name: str) -> Iterator[Item | Bad]:
    """NewsArticle items from a container file read from ``handle`` (standard input too: no seeking)."""
    try:
        reader = fastavro.reader(handle)
    except _CORRUPT as exc:
        raise InputError(f"{name}: not an Avro container file ({_reason(exc)})") from None
    number = 0
    try:
        for obj in reader:
            number += 1
            yield article_item(f"{name}:#{number}", obj)
    except _CORRUPT as exc:
        raise InputError(f"{name}: corrupt after record #{number} ({_reason(exc)})") from None


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
