"""Durations written as text in config and on the command line: ``90d``, ``12h``, ``30m``, ``45s``."""

from __future__ import annotations

import re
from datetime import timedelta

from streams.errors import ConfigError

_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([wdhms])\s*$")


def parse_duration(text: str | int | float, *, what: str = "duration") -> timedelta:
    """Parse ``"7d"``-style text (or a number of seconds) into a positive timedelta."""
    if isinstance(text, bool):
        raise ConfigError(f"`{what}`: expected a duration like 7d or 12h, got {text!r}")
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        match = _PATTERN.match(str(text))
        if not match:
            raise ConfigError(f"`{what}`: expected a duration like 7d, 12h, 30m or 45s, got {text!r}")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ConfigError(f"`{what}`: a duration must be positive, got {text!r}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Render a timedelta with the largest unit that divides it: 86400 s → ``1d``."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds % size == 0 and seconds >= size and unit != "w":
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
