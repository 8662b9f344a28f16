"""One log line, with a count, for errors that repeat while the broker is away.

During a broker outage aiokafka and faust log a connection error for every node, fetch and
heartbeat attempt: well over a thousand ERROR lines in half a minute, which buries anything
else. :class:`RepeatFilter` lets the first record of a kind through, holds back the same
kind for ``interval_s``, and then lets the next one through with the count it held back.
A kind is the logger, the level and the message template (``record.msg`` before its
arguments), so "Unable to connect to node 1" and "... node 2" count as one kind. Only
records at WARNING or above whose text looks like a connection problem are throttled.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

CONNECTION_TEXT = re.compile(
    r"connect|connection|unreachable|not ready|nodenotready|broken pipe|timed? ?out|refused|no route|"
    r"coordinator.*(dead|unknown|not available)|metadata|heartbeat",
    re.IGNORECASE,
)


@dataclass
class _Held:
    since: float
    count: int = 0


class RepeatFilter(logging.Filter):
    """A handler filter: repeated connection errors once per ``interval_s``, with a count."""

    def __init__(self, interval_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self.held: dict[tuple[str, int, str], _Held] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        # Several handlers share the filter: each record is judged once, for all of them.
        decided = getattr(record, "geotension_shown", None)
        if decided is not None:
            return bool(decided)
        shown = self._judge(record)
        record.geotension_shown = shown
        return shown

    def _judge(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the formatter's business
            return True
        if not CONNECTION_TEXT.search(text):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        held = self.held.get(key)
        if held is None:
            self.held[key] = _Held(since=now)
            return True
        if now - held.since < self.interval_s:
            held.count += 1
            return False
        if held.count:
            record.msg = f"{text} [{held.count} more like this in the last {now - held.since:.0f} s]"
            record.args = ()
        self.held[key] = _Held(since=now)
        return True


def install(interval_s: float = 5.0, logger: logging.Logger | None = None) -> RepeatFilter:
    """Put one :class:`RepeatFilter` on every handler of ``logger`` (the root logger)."""
    target = logger or logging.getLogger()
    found = next((f for h in target.handlers for f in h.filters if isinstance(f, RepeatFilter)), None)
    repeat = found or RepeatFilter(interval_s)
    for handler in target.handlers:
        if repeat not in handler.filters:
            handler.addFilter(repeat)
    return repeat
