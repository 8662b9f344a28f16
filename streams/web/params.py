"""Query and path parameters of the HTTP API, checked without touching the network.

Each parser returns a typed value or raises :class:`ParamError` naming the parameter, which
the API answers with ``400 {"error": "`since`: not an ISO 8601 time: 'yesterday'"}``. Values
are only compared with what the read models hold: nothing is evaluated or used as a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from streams.errors import SchemaError
from streams.records import parse_time

#: Longest parameter value echoed back in an error message (keeps answers one short line).
ECHO_CHARS = 60
_DYAD = re.compile(r"^[A-Z][A-Z0-9._]{0,15}-[A-Z][A-Z0-9._]{0,15}$")


class ParamError(ValueError):
    """A bad request parameter; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _echo(value: str) -> str:
    return repr(value[:ECHO_CHARS] + ("…" if len(value) > ECHO_CHARS else ""))


def single(query: Mapping[str, str], name: str) -> str | None:
    """The one value of ``name`` (None when absent); a repeated parameter is ambiguous."""
    getall = getattr(query, "getall", None)
    values = list(getall(name, [])) if getall else ([query[name]] if name in query else [])
    if len(values) > 1:
        raise ParamError(f"`{name}`: given {len(values)} times, expected once")
    return values[0] if values else None


def parse_since(query: Mapping[str, str]) -> datetime | None:
    """``since`` as ISO 8601 (``2022-09-07``, ``2022-09-07T10:00:00Z``) → UTC datetime."""
    raw = single(query, "since")
    if raw is None or raw == "":
        return None
    if raw.strip().lstrip("-").isdigit():
        raise ParamError(f"`since`: not an ISO 8601 time: {_echo(raw)}")
    try:
        return parse_time(raw, "since")
    except SchemaError:
        raise ParamError(f"`since`: not an ISO 8601 time: {_echo(raw)}") from None


def parse_limit(query: Mapping[str, str], default: int, maximum: int) -> int:
    """``limit`` as a whole number in 1..maximum."""
    raw = single(query, "limit")
    if raw is None or raw == "":
        return min(default, maximum)
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ParamError(f"`limit`: expected a whole number from 1 to {maximum}, got {_echo(raw)}")
    return int(raw)


def parse_window(query: Mapping[str, str], windows: Iterable[str]) -> str | None:
    """``window`` must name one of the configured indicator windows (e.g. ``7d``)."""
    raw = single(query, "window")
    if raw is None or raw == "":
        return None
    known = list(windows)
    if raw not in known:
        raise ParamError(f"`window`: expected one of {', '.join(known)}, got {_echo(raw)}")
    return raw


def check_dyad(value: str, dyads: Iterable[str]) -> str:
    """A dyad the read models know; malformed → 400, well-formed but unknown → 404."""
    if not _DYAD.match(value):
        raise ParamError(f"`dyad`: expected two actor codes like ALB-IRN, got {_echo(value)}")
    known = sorted(dyads)
    if value not in known:
        raise ParamError(f"`dyad`: unknown dyad {value!r} (known: {', '.join(known)})", status=404)
    return value


def reject_unknown(query: Mapping[str, str], allowed: Iterable[str]) -> None:
    """A misspelt parameter (``sinse=``) is an error rather than silently ignored."""
    allowed_set = set(allowed)
    for name in query:
        if name not in allowed_set:
            expected = ", ".join(sorted(allowed_set)) or "none"
            raise ParamError(f"`{name[:ECHO_CHARS]}`: unknown parameter (expected: {expected})")
