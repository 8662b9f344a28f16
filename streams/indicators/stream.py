"""The indicator agent's logic without Kafka: batches of (partition, event) in, updates out.

The agent decodes records, hands each batch here with the partition every event came from,
publishes what comes back and persists the dyads the batch changed. Keeping the loop pure
lets the property tests drive exactly what the agent runs through any interleaving of
partitions and compare it with :func:`~streams.indicators.engine.batch_indicators`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.errors import IndicatorError
from streams.indicators.clock import EventClock
from streams.indicators.engine import IndicatorEngine, Update, to_ms
from streams.indicators.state import DyadState


@dataclass
class BatchResult:
    """What one batch produced: records to publish, failures by position, dyads to persist."""

    update: Update = field(default_factory=Update)
    failed: list[tuple[int, Exception]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)


class IndicatorStream:
    """Dyad states and the event clock of one worker."""

    def __init__(self, engine: IndicatorEngine, idle_s: float) -> None:
        self.engine = engine
        self.clock = EventClock(idle_s)
        self.states: dict[str, DyadState] = {}
        #: The watermark every state was last advanced to.
        self.advanced_ms: int | None = None

    def reset(self) -> None:
        """Forget everything (a rebalance: the stored states are read again)."""
        self.states.clear()
        self.clock = EventClock(self.clock.idle_s)
        self.advanced_ms = None

    def load(self, states: Iterable[DyadState]) -> None:
        """Take stored states; the partition clocks and the watermark come back with them."""
        for state in states:
            self.states[state.dyad] = state
            if state.partition is not None and state.partition_ms is not None:
                self.clock.restore(state.partition, state.partition_ms)
            if state.watermark_ms is not None and (self.clock.low_ms is None or state.watermark_ms > self.clock.low_ms):
                self.clock.low_ms = state.watermark_ms

    def state(self, dyad: str) -> DyadState:
        state = self.states.get(dyad)
        if state is None:
            state = self.states[dyad] = self.engine.new_state(dyad)
        return state

    def apply_batch(self, items: Sequence[tuple[int, Mapping[str, Any]]], now: float,
                    assigned: Iterable[int] | None = None) -> BatchResult:
        """Apply every event in order, then advance all dyads to the new watermark and emit once.

        ``items`` are (partition, decoded TaggedEvent with a dyad); ``assigned`` the input
        partitions the worker reads (the known ones without it). A failed event is
        reported by its position and changes nothing.
        """
        result = BatchResult()
        start = self.clock.low_ms
        if start is None:
            times = []
            for _, record in items:
                try:
                    times.append(to_ms(record["event_time"]))
                except (KeyError, TypeError, AttributeError, ValueError, OverflowError):
                    continue
            # Nothing closes before the oldest event read: a lower bound of any watermark.
            start = min(times, default=None)
        for position, (partition, record) in enumerate(items):
            try:
                if start is None:
                    raise ValueError("the event has no usable event_time")
                if not record.get("dyad"):
                    raise IndicatorError(f"event {record.get('event_id')} has no watched dyad")
                time_ms = to_ms(record["event_time"])
                known = self.clock.partition_ms(partition)
                partition_ms = time_ms if known is None else max(known, time_ms)
                state = self.state(str(record.get("dyad") or ""))
                self.engine.apply(state, record, start, defer=True, partition_ms=partition_ms, partition=partition)
                self.clock.observe(partition, time_ms, now)
                result.changed.add(state.dyad)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the others
                result.failed.append((position, exc))
        result.update = self.advance(now, assigned, force=True)
        return result

    def advance(self, now: float, assigned: Iterable[int] | None = None, force: bool = False) -> Update:
        """Move every dyad to the current watermark and emit what changed (the idle timer's call)."""
        watermark = self.clock.watermark(now, assigned)
        update = Update()
        if watermark is None or (not force and self.advanced_ms is not None and watermark <= self.advanced_ms):
            return update
        self.advanced_ms = watermark
        for state in list(self.states.values()):
            if state.first_ms is None:
                continue
            partition_ms = None if state.partition is None else self.clock.partition_ms(state.partition)
            self.engine.advance(state, watermark, defer=True, partition_ms=partition_ms)
            update.extend(self.engine.flush(state, watermark))
        return update
