"""JSON lines of NewsArticle objects → :class:`Item` per line (``file:line`` on errors).

Blank lines are ignored; ``.gz`` files are read through gzip so archives need not be
unpacked first.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from streams.errors import InputError
from streams.sources import Bad, Item, article_item


def _open(path: Path) -> IO[bytes]:
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_jsonl(path: Path) -> Iterator[Item | Bad]:
    """NewsArticle items from a JSON-lines file; unreadable lines become :class:`Bad`."""
    with _open(path) as handle:
        yield from read_jsonl_stream(handle, str(path))


def read_jsonl_stream(handle: IO[bytes], name: str) -> Iterator[Item | Bad]:
    """NewsArticle items from JSON lines read from ``handle`` (gzip when it starts so), reported as ``name:line``."""
    if hasattr(handle, "peek") and handle.peek(2)[:2] == b"\x1f\x8b":
        handle = gzip.GzipFile(fileobj=handle)  # type: ignore[assignment]
    try:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{name}:{number}"
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Bad(where, f"not valid UTF-8 (byte {exc.start})")
                continue
            try:
                obj = json.loads(text)
            except (ValueError, RecursionError) as exc:
                yield Bad(where, f"not valid JSON: {str(exc).splitlines()[0][:120]}")
                continue
            yield article_item(where, obj)
    except (OSError, EOFError) as exc:
        # A truncated .gz surfaces here, after the good lines were yielded.
        raise InputError(f"{name}: cannot read ({exc})") from None
