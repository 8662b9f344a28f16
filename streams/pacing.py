"""When to send each record of a replay: the schedule is a pure function of event times.

Three modes (:class:`Pace`):

* ``max`` — as fast as possible: every record is due at once;
* ``speed=N`` — event time runs N× faster than real time: the pause before a record is the
  gap in event time since the newest earlier record ÷ N (a record older than that has no
  pause and does not move the reference; a record without an event time has none either); ``max_gap_s`` caps one pause so
  a quiet month in an archive does not stall a 60× replay for 12 hours;
* ``rate=R`` — R records per second regardless of event time.

Due times are offsets from the start, accumulated from the gaps, so a slow send is made up
by the following records instead of drifting. :class:`Pacer` applies the schedule with an
injectable clock and sleep (tests pass fakes and never assert wall-clock time).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from streams.errors import InputError


@dataclass(frozen=True)
class Pace:
    """How fast to replay; neither ``speed`` nor ``rate`` means as fast as possible."""

    speed: float | None = None
    rate: float | None = None
    max_gap_s: float | None = None

    def __post_init__(self) -> None:
        if self.speed is not None and self.rate is not None:
            raise InputError("--speed and --rate exclude each other")
        for name, option in (("speed", "--speed"), ("rate", "--rate"), ("max_gap_s", "--max-gap")):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise InputError(f"{option} must be positive, got {value}")

    @property
    def mode(self) -> str:
        return "speed" if self.speed else "rate" if self.rate else "max"


def _ms(value: datetime | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value.timestamp() * 1000)


class Schedule:
    """Incremental form of :func:`schedule`: ``due(event_time)`` → seconds after the start."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self.count = 0
        self.offset_s = 0.0
        self.last_ms: int | None = None

    def due(self, event_time: datetime | int | None) -> float:
        pace, ms = self.pace, _ms(event_time)
        if pace.rate:
            offset = self.count / pace.rate
        elif pace.speed:
            if ms is not None and self.last_ms is not None and ms > self.last_ms:
                gap = (ms - self.last_ms) / 1000.0 / pace.speed
                if pace.max_gap_s is not None:
                    gap = min(gap, pace.max_gap_s)
                self.offset_s += gap
            offset = self.offset_s
        else:
            offset = 0.0
        if ms is not None:
            self.last_ms = ms if self.last_ms is None else max(self.last_ms, ms)
        self.count += 1
        return offset


def schedule(event_times: Iterable[datetime | int | None], pace: Pace) -> Iterator[float]:
    """Seconds after the start at which each record is due (non-decreasing)."""
    plan = Schedule(pace)
    for when in event_times:
        yield plan.due(when)


class Pacer:
    """Waits until each record is due; ``clock`` and ``sleep`` are injectable for tests."""

    def __init__(self, pace: Pace, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.plan = Schedule(pace)
        self.clock, self.sleep = clock, sleep
        self.start: float | None = None
        self.slept_s = 0.0

    def wait(self, event_time: datetime | int | None) -> float:
        """Block until the record with ``event_time`` is due; returns the seconds slept."""
        offset = self.plan.due(event_time)
        now = self.clock()
        if self.start is None:
            self.start = now
        pause = self.start + offset - now
        if pause > 0:
            self.sleep(pause)
            self.slept_s += pause
            return pause
        return 0.0
