"""The record ledger's arithmetic: each offset counted once, sums and the reconcile report."""

from __future__ import annotations

import pytest

from streams.ledger import DEAD_LETTERS, WITH_EVENTS, WITHOUT_EVENTS, LedgerEntry, entries_from, report, totals


def test_a_redelivered_offset_is_not_counted_again() -> None:
    entry = LedgerEntry()
    outcomes = [(0, WITH_EVENTS), (1, WITHOUT_EVENTS), (2, DEAD_LETTERS), (1, WITH_EVENTS), (3, WITH_EVENTS)]
    assert [entry.count(o, what) for o, what in outcomes] == [True, True, True, False, True]
    assert entry.to_dict() == {"taken_in": 4, "with_events": 2, "without_events": 1, "dead_letters": 1,
                               "next_offset": 4}
    assert entry.reconciled
    with pytest.raises(ValueError, match="unknown outcome 'lost'"):
        entry.count(9, "lost")


def test_latest_changelog_entry_per_partition_and_the_report() -> None:
    first = {"taken_in": 1, "with_events": 1, "without_events": 0, "dead_letters": 0, "next_offset": 1}
    later = {"taken_in": 3, "with_events": 1, "without_events": 1, "dead_letters": 1, "next_offset": 3}
    other = {"taken_in": 2, "with_events": 2, "without_events": 0, "dead_letters": 0, "next_offset": 7}
    entries = entries_from([("0", first), ('"1"', other), ("0", later), ("bogus", first)])
    figures = totals(entries)
    assert {k: figures[k] for k in ("in", "with_events", "without_events", "dead_letters", "reconciled")} == {
        "in": 5, "with_events": 3, "without_events": 1, "dead_letters": 1, "reconciled": True}
    assert report(figures, dead_on_topic=1, consumed=10) == [
        "news.raw records taken in: 5 = 3 with events + 1 without events + 1 dead letters: reconciled",
        "  partition 0: 3 in, 1 with events, 1 without, 1 dead letters, next offset 3",
        "  partition 1: 2 in, 2 with events, 0 without, 0 dead letters, next offset 7",
        "dead letters of news.raw on the dead-letter topic (distinct records): 1 (matches)",
        "records the group has committed on news.raw: 10 (does NOT match)",
    ]
    broken = totals({0: LedgerEntry(taken_in=2, with_events=1)})
    assert broken["reconciled"] is False
