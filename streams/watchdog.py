"""Notices a worker that has records waiting but stops handing them to its agents.

faust can leave a partition out of its fetch set after a rebalance (paused for table recovery
and never resumed, or dropped from the active set), so fetched records sit in the consumer
while the agents wait at ``async for`` without an error. The detector is pure logic; the
worker feeds it a :class:`ConsumerView` every few seconds, first repairs the consumer in
place (idle partitions back into the fetch set, every partition sought back to its committed
offset) and, if that does not help, exits with :data:`EXIT_STALLED` so the supervising
``geotension worker`` process restarts it from the committed offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Exit status of a worker child that stopped making progress (``EX_TEMPFAIL``): the
#: supervising process restarts it, as it does after any other abnormal exit.
EXIT_STALLED = 75
#: Exit status of a command stopped by a configuration error (``EX_CONFIG``): starting the
#: worker again would fail the same way, so the supervisor does not.
EXIT_CONFIG = 78


@dataclass(frozen=True)
class PartitionView:
    """One assigned source partition as the consumer sees it."""

    topic: str
    partition: int
    #: End offset from the last fetch response (None before the first fetch).
    highwater: int | None
    #: Next offset the group will read from (the committed offset; None when never committed).
    committed: int | None
    #: Whether faust will hand this partition's fetched records to the agents.
    active: bool
    #: Offset of the last record faust handed on (faust drops fetched records below it).
    read: int | None = None
    #: First offset the broker still holds (None until asked): retention may have deleted
    #: records the group never read, and those are no backlog.
    earliest: int | None = None

    @property
    def backlog(self) -> int:
        """Records on the broker this worker has not committed yet (0 when unknown)."""
        if self.highwater is None:
            return 0
        return max(self.highwater - max(self.committed or 0, self.earliest or 0), 0)


@dataclass(frozen=True)
class ConsumerView:
    """What the watchdog needs from the worker at one instant."""

    #: Records the agents have taken in so far (any agent).
    processed: int
    #: True while faust rebalances or restores tables: agents are idle on purpose then.
    busy: bool
    partitions: tuple[PartitionView, ...] = ()

    @property
    def backlog(self) -> int:
        return sum(p.backlog for p in self.partitions)

    def idle_partitions(self) -> list[PartitionView]:
        """Partitions with records waiting that faust does not deliver."""
        return [p for p in self.partitions if p.backlog > 0 and not p.active]

    def describe(self) -> str:
        """One line per partition with work: ``topic[p] hw=… committed=… active=…``."""
        rows = [f"{p.topic}[{p.partition}] highwater={p.highwater} committed={p.committed} read={p.read} "
                f"earliest={p.earliest} active={p.active}" for p in self.partitions if p.backlog > 0]
        return "; ".join(rows) or "no backlog"


@dataclass
class StallDetector:
    """Says when records have waited ``timeout_s`` seconds with no agent progress.

    The first observation sets the baseline; time only counts while the worker is neither rebalancing nor restoring tables and has a
    backlog; any processed record restarts the clock.
    """

    timeout_s: float
    _last_processed: int | None = field(default=None, init=False)
    _since: float | None = field(default=None, init=False)

    def observe(self, now: float, view: ConsumerView) -> bool:
        """Feed one observation at monotonic time ``now``; True once the worker is stalled."""
        if self.timeout_s <= 0:
            return False
        if view.busy or view.backlog == 0 or view.processed != self._last_processed:
            self._last_processed = view.processed
            self._since = None
            return False
        if self._since is None:
            self._since = now
        return now - self._since >= self.timeout_s

    @property
    def waiting(self) -> bool:
        """True while a backlog is waiting without progress (the clock runs)."""
        return self._since is not None

    def reset(self) -> None:
        """Start a fresh wait (after a repair attempt)."""
        self._since = None
