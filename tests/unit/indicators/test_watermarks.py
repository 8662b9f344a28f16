"""Event time across partitions: any interleaving that keeps each partition's order gives the oracle.

The indicator agent runs :class:`IndicatorStream` over batches of (partition, event); the
oracle is :func:`batch_indicators` with each event's partition. Horizons here are short and
the partitions far apart in event time, so lateness, re-sent copies and alert corrections
all occur.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.errors import IndicatorError
from streams.indicators import IndicatorEngine, batch_indicators
from streams.indicators.clock import EventClock, key_partition
from streams.indicators.engine import to_ms
from streams.indicators.stream import IndicatorStream
from tests.unit.indicators.fixtures import T0, days, make_event
from tests.unit.indicators.test_engine import CFG

#: Two dyads share partition 0, one has partition 1 to itself.
PARTITION = {"ALB-IRN": 0, "ALB-ISR": 0, "IRN-ISR": 1}
PAIRS = {"ALB-IRN": ("ALB", "IRN"), "ALB-ISR": ("ISR", "ALB"), "IRN-ISR": ("IRN", "ISR")}
CODES = [("161", -4.0, 4), ("172", -5.0, 4), ("195", -10.0, 4), ("057", 8.0, 1)]


def partition_of(event: Mapping[str, Any]) -> int:
    return PARTITION[str(event["dyad"])]


def fold_alerts(alerts: list[dict[str, Any]]) -> list[tuple[str, Any, str, str]]:
    """What a consumer keeps: per (dyad, as_of) the highest correction, without retractions."""
    kept: dict[tuple[str, Any], dict[str, Any]] = {}
    for alert in alerts:
        key = (alert["dyad"], alert["as_of"])
        if key not in kept or alert["correction"] >= kept[key]["correction"]:
            kept[key] = alert
    return sorted((a["dyad"], a["as_of"], a["from_level"], a["to_level"]) for a in kept.values()
                  if a["status"] != "RETRACTED")


def run_stream(partitions: dict[int, list[dict[str, Any]]], schedule: list[tuple[int, int]],
               idle_after: set[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Feed the partitions' events in the order ``schedule`` picks ((partition, count) per
    batch, as the consumer's fetches would), setting which partitions still have records
    waiting before every batch; a batch index in ``idle_after`` lets wall time pass beyond
    the idle timeout first. Returns (latest snapshots, alerts, refused event ids)."""
    stream = IndicatorStream(IndicatorEngine(CFG), idle_s=30.0)
    cursors = {p: 0 for p in partitions}
    latest: dict[tuple[str, Any], dict[str, Any]] = {}
    alerts: list[dict[str, Any]] = []
    refused: list[str] = []
    now = 0.0

    def keep(snapshots: list[dict[str, Any]]) -> None:
        for snap in snapshots:
            key = (snap["dyad"], snap["as_of"])
            assert key not in latest or snap["revision"] >= latest[key]["revision"]
            latest[key] = snap

    def batches() -> Any:
        for n, (choice, count) in enumerate(schedule):
            yield n, choice, count
        n = len(schedule)
        for p in sorted(partitions):  # whatever the schedule left over, partition by partition
            while cursors[p] < len(partitions[p]):
                yield n, p, 5
                n += 1

    for n, choice, count in batches():
        live = [p for p in sorted(partitions) if cursors[p] < len(partitions[p])]
        if not live:
            break
        p = live[choice % len(live)]
        items = [(p, e) for e in partitions[p][cursors[p]:cursors[p] + count]]
        cursors[p] += len(items)
        now += 40.0 if n in idle_after else 0.1
        for q in partitions:
            stream.clock.set_waiting(q, cursors[q] < len(partitions[q]), now)
        result = stream.apply_batch(items, now)
        for position, exc in result.failed:
            assert isinstance(exc, IndicatorError), exc
            refused.append(items[position][1]["event_id"])
        keep(result.update.snapshots)
        alerts.extend(result.update.alerts)
        # The idle timer between batches.
        tick = stream.advance(now + 0.05)
        keep(tick.snapshots)
        alerts.extend(tick.alerts)
    return [s for _, s in sorted(latest.items())], alerts, refused


event_spec = st.tuples(
    st.sampled_from(sorted(PARTITION)),
    st.integers(0, 24 * 100),  # hours after T0: far more than the 30-day horizon
    st.sampled_from(CODES),
    st.integers(0, 3),  # a small id space: re-sent copies of earlier events happen
)


def build(specs: list[tuple[str, int, tuple[str, float, int], int]]) -> dict[int, list[dict[str, Any]]]:
    partitions: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
    made: dict[str, dict[str, Any]] = {}
    for i, (dyad, hours, (code, goldstein, quad), copy_of) in enumerate(specs):
        if copy_of and made and copy_of <= len(made):
            # A re-sent copy of an earlier event of any dyad, on that dyad's partition.
            event = list(made.values())[-copy_of]
        else:
            source, target = PAIRS[dyad]
            event = make_event(f"e{i}", T0 + timedelta(hours=hours), source, target, code, goldstein, quad)
            made[event["event_id"]] = event
        partitions[PARTITION[event["dyad"]]].append(event)
    return partitions


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(event_spec, min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 1), st.integers(1, 6)), max_size=30),
    st.sets(st.integers(0, 30), max_size=4),
    st.lists(st.integers(0, 1), max_size=80),
)
def test_any_interleaving_of_partitions_gives_the_oracle(specs: list, schedule: list, idle_after: set,
                                                         other_order: list) -> None:
    partitions = build(specs)
    snapshots, alerts, refused = run_stream(partitions, schedule, idle_after)
    # The oracle reads partition 0 first, then partition 1...
    one_order = [e for p in sorted(partitions) for e in partitions[p]]
    expected, expected_alerts, rejected = batch_indicators(one_order, CFG, partition_of)
    assert snapshots == expected
    assert sorted(refused) == sorted(r["event_id"] for r, _ in rejected)
    assert fold_alerts(alerts) == sorted((a["dyad"], a["as_of"], a["from_level"], a["to_level"])
                                         for a in expected_alerts)
    # ...and gives the same in any other interleaving of the partitions.
    cursors = {0: 0, 1: 0}
    mixed = []
    for pick in other_order + [0] * len(one_order) + [1] * len(one_order):
        if cursors[pick] < len(partitions[pick]):
            mixed.append(partitions[pick][cursors[pick]])
            cursors[pick] += 1
    again, again_alerts, again_rejected = batch_indicators(mixed, CFG, partition_of)
    assert (again, again_alerts) == (expected, expected_alerts)
    assert sorted(r["event_id"] for r, _ in again_rejected) == sorted(refused)


def test_a_partition_far_ahead_does_not_push_the_other_beyond_the_horizon() -> None:
    # Partition 0 has delivered up to day 60 while partition 1 is at day 10 and still has
    # its day-12 event waiting: judged by the newest time of any partition that event would
    # be 48 days late, beyond the 30-day horizon; judged by its own partition it is on time.
    ahead = [make_event(f"a{n}", T0 + days(n)) for n in (0, 30, 60)]
    behind = [make_event(f"b{n}", T0 + days(n), "IRN", "ISR", "195", -10.0) for n in (10, 12)]
    stream = IndicatorStream(IndicatorEngine(CFG), idle_s=30.0)
    stream.clock.set_waiting(1, True, 0.0)
    stream.apply_batch([(1, behind[0])], 0.0)
    stream.apply_batch([(0, e) for e in ahead], 1.0)
    assert stream.clock.watermark(1.0) == to_ms(T0 + days(10))  # held by partition 1
    stream.clock.set_waiting(1, False, 2.0)
    result = stream.apply_batch([(1, behind[1])], 2.0)
    assert result.failed == []
    assert stream.clock.watermark(2.0) == to_ms(T0 + days(60))
    # The offline command says the same; with one clock for all it would refuse b12.
    expected, _, rejected = batch_indicators(ahead + behind, CFG, partition_of)
    assert rejected == []
    _, _, one_clock = batch_indicators(ahead + behind, CFG)
    assert [(e["event_id"], reason) for e, reason in one_clock] == [
        ("b10", "event b10 is 50.0 days behind the newest event time, beyond the 30d horizon"),
        ("b12", "event b12 is 48.0 days behind the newest event time, beyond the 30d horizon")]


def test_lateness_is_judged_by_the_events_own_partition() -> None:
    events = [make_event("p0", T0 + days(40)), make_event("late", T0), make_event("p1", T0, "IRN", "ISR")]
    _, _, rejected = batch_indicators(events, CFG, partition_of)
    assert [(e["event_id"], reason) for e, reason in rejected] == [
        ("late", "event late is 40.0 days behind the newest event time of partition 0, beyond the 30d horizon")]


def test_a_re_sent_copy_of_a_merged_event_is_not_refused_even_beyond_the_horizon() -> None:
    first = make_event("x", T0)
    later = make_event("y", T0 + days(40))
    snapshots, _, rejected = batch_indicators([first, later, dict(first)], CFG, partition_of)
    assert rejected == []
    assert snapshots == batch_indicators([first, later], CFG, partition_of)[0]
    stream = IndicatorStream(IndicatorEngine(CFG), idle_s=30.0)
    assert stream.apply_batch([(0, first), (0, later), (0, dict(first))], 0.0).failed == []
    unknown = make_event("z", T0)
    failed = stream.apply_batch([(0, unknown)], 1.0).failed
    assert [(p, str(exc)) for p, exc in failed] == [
        (0, "event z is 40.0 days behind the newest event time of partition 0, beyond the 30d horizon")]


def test_the_watermark_waits_for_a_partition_with_records_until_it_is_idle() -> None:
    clock = EventClock(idle_s=30.0)
    clock.observe(0, 5_000, now=0.0)
    clock.observe(1, 1_000, now=0.0)
    assert clock.watermark(0.0) == 5_000  # nothing waits anywhere: the newest clock
    clock.observe(0, 9_000, now=1.0)
    clock.set_waiting(1, True, now=1.0)
    assert clock.watermark(1.0) == 5_000  # partition 1 holds it (it never goes back)
    clock.observe(1, 7_000, now=2.0)
    assert clock.watermark(2.0) == 7_000
    assert clock.watermark(31.9) == 7_000
    assert clock.watermark(32.0) == 9_000  # 30 s without a delivery: idle, no longer holds
    clock.observe(1, 8_000, now=33.0)
    assert clock.watermark(33.0) == 9_000  # a returning partition does not pull it back
    fresh = EventClock(idle_s=30.0)
    fresh.observe(0, 5_000, now=0.0)
    fresh.set_waiting(1, True, now=0.0)
    assert fresh.watermark(0.0) == 5_000  # the first value: the lowest clock known
    fresh.observe(0, 6_000, now=1.0)
    assert fresh.watermark(1.0) == 5_000  # partition 1 has delivered nothing yet: held
    assert fresh.watermark(30.0) == 6_000
    assert fresh.watermark(30.0, partitions=[0]) == 6_000


def test_key_partition_is_kafkas_default_partitioner() -> None:
    # Kafka's own murmur2 test vectors (UtilsTest): "21" → -973932308, "foobar" → -790332482,
    # "abc" → 479470107; the partition is the hash's lower 31 bits modulo the count.
    assert [key_partition(k, 1000) for k in (b"21", b"foobar", b"abc")] == [
        (-973932308 & 0x7FFFFFFF) % 1000, (-790332482 & 0x7FFFFFFF) % 1000, 479470107 % 1000] == [340, 166, 107]
