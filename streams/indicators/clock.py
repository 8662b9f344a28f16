"""Event time as watermarks: one clock per input partition and the low watermark over them.

The indicators read tension.events, keyed by dyad, so every dyad lives on one partition and
a partition's records arrive in its own order, while how the partitions interleave depends
on fetches, rebalances and outages. Two clocks follow from that, as in Kafka Streams
(stream time per task) and Flink (watermarks with idleness):

* **The partition clock**: the newest event time among the events of one partition that
  entered the indicators. An event more than the horizon behind *its own partition's*
  clock is refused, and a dyad's state is pruned against that clock. Both then depend on
  that partition's sequence alone, never on how far another partition has got.
* **The low watermark**: the lowest clock over the partitions the worker reads that still
  have records waiting, never going back. It decides which steps are closed and how far
  quiet dyads move on. A partition with nothing waiting does not hold it back; one with
  records waiting holds it for at most ``idle_s`` after its last delivery (it may be
  stalled), so time always moves on. With nothing waiting anywhere it is the newest clock.

Only how early a step is announced as closed depends on the interleaving; once every
partition has been read, the low watermark is the newest clock, whatever the order, and
every snapshot, revision and alert is the one the offline command computes (it reads its
input as a worker with nothing waiting would, judging lateness by partition clocks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


def key_partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives a keyed record (murmur2, as Java's)."""
    from kafka.partitioner.default import murmur2

    return (murmur2(key) & 0x7FFFFFFF) % partitions


@dataclass
class PartitionClock:
    """What the worker knows about one input partition."""

    #: Newest event time that entered the indicators from this partition (None: none yet).
    time_ms: int | None = None
    #: Monotonic seconds of the last delivery, or of the moment records were first seen waiting.
    seen_at: float | None = None
    #: Records on the broker beyond the last one delivered.
    waiting: bool = False


@dataclass
class EventClock:
    """Partition clocks and the low watermark of one worker (pure: the caller passes the time)."""

    idle_s: float
    clocks: dict[int, PartitionClock] = field(default_factory=dict)
    low_ms: int | None = None

    def observe(self, partition: int, time_ms: int, now: float) -> int:
        """An event of ``partition`` entered; returns that partition's clock."""
        clock = self.clocks.setdefault(partition, PartitionClock())
        clock.time_ms = time_ms if clock.time_ms is None else max(clock.time_ms, time_ms)
        clock.seen_at = now
        return clock.time_ms

    def partition_ms(self, partition: int) -> int | None:
        clock = self.clocks.get(partition)
        return None if clock is None else clock.time_ms

    def restore(self, partition: int, time_ms: int) -> None:
        """A clock read back from stored state (after a restart or a rebalance)."""
        clock = self.clocks.setdefault(partition, PartitionClock())
        clock.time_ms = time_ms if clock.time_ms is None else max(clock.time_ms, time_ms)

    def set_waiting(self, partition: int, waiting: bool, now: float) -> None:
        """Whether records of ``partition`` wait on the broker beyond what was delivered."""
        clock = self.clocks.setdefault(partition, PartitionClock())
        if waiting and not clock.waiting and clock.seen_at is None:
            clock.seen_at = now
        clock.waiting = waiting

    def forget(self, keep: Iterable[int] | None = None) -> None:
        """Drop the partitions not in ``keep`` (all without it), after a rebalance."""
        kept = set(keep or ())
        for partition in [p for p in self.clocks if p not in kept]:
            del self.clocks[partition]

    def holding(self, now: float, partitions: Iterable[int] | None = None) -> list[int]:
        """Partitions that hold the watermark back: records waiting, delivered within idle_s."""
        chosen = self.clocks if partitions is None else partitions
        out = []
        for partition in chosen:
            clock = self.clocks.get(partition)
            if clock is None or not clock.waiting:
                continue
            if clock.seen_at is not None and now - clock.seen_at >= self.idle_s:
                continue
            out.append(partition)
        return out

    def watermark(self, now: float, partitions: Iterable[int] | None = None) -> int | None:
        """The low watermark over ``partitions`` (all known without it); it never goes back."""
        chosen = list(self.clocks if partitions is None else partitions)
        holders = self.holding(now, chosen)
        known = [c.time_ms for p in chosen if (c := self.clocks.get(p)) is not None and c.time_ms is not None]
        if holders:
            times = [self.clocks[p].time_ms for p in holders]
            # A partition that has delivered nothing yet holds time where it is.
            candidate = None if any(t is None for t in times) else min(t for t in times if t is not None)
            if candidate is None and self.low_ms is None and known:
                candidate = min(known)
        else:
            candidate = max(known) if known else None
        if candidate is not None and (self.low_ms is None or candidate > self.low_ms):
            self.low_ms = candidate
        return self.low_ms
