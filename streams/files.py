"""Opening a user's input file with a one-line error instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from streams.errors import InputError


def open_input(path: Path, *, binary: bool = False, errors: str = "strict") -> IO[Any]:
    """Open ``path`` for reading (UTF-8 text unless ``binary``); InputError names the file."""
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
