"""The record ledger: what became of every news.raw record, kept across restarts.

The tag agent counts each record it takes in under one outcome (with events, without
events, dead-lettered) in a table per news.raw partition, restored from its changelog
after a crash like the indicator state. Every entry remembers the next offset it has not
counted, so a record re-delivered after a crash is not counted twice, and the figures of a
run reconcile across any number of restarts and workers: ``in = with events + without
events + dead letters``. ``/api/counters`` shows the entries of the worker's partitions,
``geotension reconcile`` those of all partitions, read from the changelog topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

WITH_EVENTS, WITHOUT_EVENTS, DEAD_LETTERS = "with_events", "without_events", "dead_letters"
OUTCOMES = (WITH_EVENTS, WITHOUT_EVENTS, DEAD_LETTERS)
#: The ledger's table; its changelog topic is ``<app id>-ledger-changelog``.
TABLE = "ledger"


@dataclass
class LedgerEntry:
    """One news.raw partition's counts."""

    taken_in: int = 0
    with_events: int = 0
    without_events: int = 0
    dead_letters: int = 0
    #: The next offset not counted yet.
    next_offset: int = 0

    def count(self, offset: int, outcome: str) -> bool:
        """Count the record at ``offset``; False (nothing changes) when it was counted before."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if offset < self.next_offset:
            return False
        self.taken_in += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.next_offset = offset + 1
        return True

    @property
    def reconciled(self) -> bool:
        return self.taken_in == self.with_events + self.without_events + self.dead_letters

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LedgerEntry:
        fields = {k: int(v) for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**fields)


def totals(entries: Mapping[int, LedgerEntry]) -> dict[str, Any]:
    """The sums over ``entries`` (partition → entry) and whether they reconcile."""
    total = LedgerEntry()
    for entry in entries.values():
        total.taken_in += entry.taken_in
        total.with_events += entry.with_events
        total.without_events += entry.without_events
        total.dead_letters += entry.dead_letters
    return {
        "in": total.taken_in, WITH_EVENTS: total.with_events, WITHOUT_EVENTS: total.without_events,
        DEAD_LETTERS: total.dead_letters,
        "reconciled": total.reconciled and all(e.reconciled for e in entries.values()),
        "partitions": {str(p): entries[p].to_dict() for p in sorted(entries)},
    }


def report(figures: Mapping[str, Any], dead_on_topic: int | None = None, consumed: int | None = None) -> list[str]:
    """Lines for ``geotension reconcile``: the equation, and cross-checks against the topics."""
    lines = [
        f"news.raw records taken in: {figures['in']} = {figures[WITH_EVENTS]} with events + "
        f"{figures[WITHOUT_EVENTS]} without events + {figures[DEAD_LETTERS]} dead letters: "
        + ("reconciled" if figures["reconciled"] else "NOT reconciled"),
    ]
    for partition, entry in figures["partitions"].items():
        lines.append(f"  partition {partition}: {entry['taken_in']} in, {entry[WITH_EVENTS]} with events, "
                     f"{entry[WITHOUT_EVENTS]} without, {entry[DEAD_LETTERS]} dead letters, "
                     f"next offset {entry['next_offset']}")
    if dead_on_topic is not None:
        same = "matches" if dead_on_topic == figures[DEAD_LETTERS] else "does NOT match"
        lines.append(f"dead letters of news.raw on the dead-letter topic (distinct records): {dead_on_topic} ({same})")
    if consumed is not None:
        same = "matches" if consumed == figures["in"] else "does NOT match"
        lines.append(f"records the group has committed on news.raw: {consumed} ({same})")
    return lines


def entries_from(records: Iterable[tuple[Any, Any]]) -> dict[int, LedgerEntry]:
    """Latest entry per partition from (key, value) pairs in log order (a changelog's)."""
    out: dict[int, LedgerEntry] = {}
    for key, value in records:
        try:
            partition = int(str(key).strip('"'))
        except ValueError:
            continue
        if value is None:
            out.pop(partition, None)
        else:
            out[partition] = LedgerEntry.from_dict(value)
    return out
