"""``--format auto``: decide how to read a path or URL from its name, then its first bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

from streams.errors import InputError
from streams.sources.avro_files import MAGIC as AVRO_MAGIC
from streams.sources.feeds import looks_like_feed

FORMATS = ("jsonl", "avro", "gdelt", "rss")


def is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def detect_format(name: str) -> str:
    """One of :data:`FORMATS` for ``name``; InputError when it is none of them."""
    if is_url(name):
        return "rss"
    path = Path(name)
    lower = path.name.lower()
    if not path.exists():
        raise InputError(f"{name}: file not found")
    if not path.is_file():
        raise InputError(f"{name}: not a file")
    if lower.endswith((".export.csv", ".export.csv.zip", ".export.tsv")):
        return "gdelt"
    if lower.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".avro"):
        return "avro"
    if lower.endswith((".rss", ".atom", ".xml")):
        return "rss"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if zipfile.is_zipfile(path) and not head.startswith((AVRO_MAGIC, b"\x1f\x8b")):
        return "gdelt"
    return detect_content(head, name)


def detect_content(head: bytes, name: str) -> str:
    """One of :data:`FORMATS` from the first bytes of an input (standard input has no name to go by)."""
    if head.startswith(AVRO_MAGIC):
        return "avro"
    if head.startswith(b"\x1f\x8b"):
        return "jsonl"  # gzip: only JSON lines are read compressed
    if head.startswith(b"PK\x03\x04"):
        return "gdelt"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"<") and looks_like_feed(stripped):
        return "rss"
    first = head.split(b"\n", 1)[0]
    if first.count(b"\t") == 60 and first.split(b"\t", 1)[0].isdigit():
        return "gdelt"
    raise InputError(f"{name}: unknown format (not JSON lines, Avro, a GDELT export or a feed); "
                     "name it with --format")
