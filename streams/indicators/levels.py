"""Escalation levels with hysteresis and a minimum dwell time, so a level does not flap.

A level rises as soon as the index reaches its entry threshold. It falls only after it has
held for ``min_dwell`` and the index has dropped ``hysteresis`` points below the entry
threshold of the current level; it then falls to the highest level whose threshold minus
the hysteresis the index still meets. A ``floor`` (the level a largest-class event sets on
its day) is a target like the index's: the dwell only ever delays a fall, never a rise.
"""

from __future__ import annotations

from streams.settings import LevelSettings

LEVELS = ("CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL")


def target_level(index: float, levels: LevelSettings) -> str:
    """The highest level whose entry threshold the index reaches."""
    found = "CALM"
    for name, threshold in levels.enter.items():
        if index >= threshold:
            found = name
    return found


def next_level(previous: str, since_ms: int | None, as_of_ms: int, index: float, levels: LevelSettings,
               floor: str = "CALM") -> tuple[str, int | None]:
    """Level at ``as_of_ms`` given the level before it, since when it has held, and a floor."""
    rank = LEVELS.index
    target = max(target_level(index, levels), floor, key=rank)
    if rank(target) > rank(previous):
        return target, as_of_ms
    if rank(target) == rank(previous) or previous == "CALM":
        return previous, since_ms
    dwell_ms = int(levels.min_dwell.total_seconds() * 1000)
    if since_ms is not None and as_of_ms - since_ms < dwell_ms:
        return previous, since_ms
    if index >= levels.enter[previous] - levels.hysteresis:
        return previous, since_ms
    lowered = "CALM"
    for name in LEVELS[1 : rank(previous)]:
        if index >= levels.enter[name] - levels.hysteresis:
            lowered = name
    return max(lowered, floor, key=rank), as_of_ms
