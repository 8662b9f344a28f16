"""Opening a user's input and output files with a one-line error instead of a traceback.

``-`` names standard input (for inputs) or standard output (for outputs), as usual for
command-line tools, so commands compose in pipelines.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import IO, Any

from streams.errors import InputError

#: The name that means standard input / output.
DASH = "-"
#: How standard input is named in ``FILE:LINE`` reports.
STDIN_LABEL = "<stdin>"


def is_dash(path: Path | str | None) -> bool:
    """Whether ``path`` is ``-`` (standard input or output)."""
    return path is not None and str(path) == DASH


def label(path: Path | str) -> str:
    """How ``path`` is named in messages: ``<stdin>`` for ``-``."""
    return STDIN_LABEL if is_dash(path) else str(path)


def open_input(path: Path, *, binary: bool = False, errors: str = "strict") -> IO[Any]:
    """Open ``path`` for reading (UTF-8 text unless ``binary``; ``-`` is standard input); InputError names the file."""
    if is_dash(path):
        raw = sys.stdin.buffer
        return raw if binary else io.TextIOWrapper(raw, encoding="utf-8", errors=errors)
    try:
        if binary:
            return path.open("rb")
        return path.open(encoding="utf-8", errors=errors)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def open_output(path: Path | str | None, *, binary: bool = False) -> IO[Any]:
    """Open ``path`` for writing (its folder is created; None or ``-`` is standard output).

    InputError with one line naming the path when it cannot be written (a read-only folder,
    a path through a file, a full disk), instead of the OSError's traceback.
    """
    if path is None or is_dash(path):
        return sys.stdout.buffer if binary else sys.stdout
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(f"{target}: is a folder; give a file name to write")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("wb") if binary else target.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({why_not_writable(target, exc)})") from None


def close_output(handle: IO[Any]) -> None:
    """Close a handle from :func:`open_output`, leaving standard output open."""
    if handle not in (sys.stdout, getattr(sys.stdout, "buffer", None)):
        handle.close()
    else:
        handle.flush()


def why_not_writable(target: Path, exc: OSError) -> str:
    """The reason for ``exc`` in words: a file where a folder of the path should be is named."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        for parent in target.parents:
            if parent.exists() and not parent.is_dir():
                return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc)


def writable_path(path: Path | str) -> Path:
    """``path`` after checking that a file can be written there (for writers that open it themselves).

    Opened for appending, so an existing file keeps its content until the writer replaces it.
    """
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(f"{target}: is a folder; give a file name to write")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.open("ab").close()
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({why_not_writable(target, exc)})") from None
    return target


class _Replay(io.RawIOBase):
    """A stream that yields ``head`` again, then the rest of ``rest`` (sniffing standard input)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def sniff_stdin(wanted: int = 4096) -> tuple[bytes, IO[bytes]]:
    """The first bytes of standard input (up to ``wanted``, or fewer at EOF) and a stream that reads it all."""
    raw = sys.stdin.buffer
    head = b""
    while len(head) < wanted:
        more = raw.read1(wanted - len(head)) if hasattr(raw, "read1") else raw.read(wanted - len(head))
        if not more:
            break
        head += more
        if b"\n" in head and len(head) >= 512:
            break
    return head, io.BufferedReader(_Replay(head, raw))
