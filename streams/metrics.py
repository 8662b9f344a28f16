"""In-process counters the agents keep and the web server reports."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class PipelineCounters:
    """Records in and out per agent, dead letters by reason class, skips by cause, notes on
    how records were read."""

    records_in: Counter[str] = field(default_factory=Counter)
    records_out: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Articles coded with a stand-in event time ("tag:ingested_at", "tag:record_timestamp") or
    #: in a language the rules do not cover ("tag:language:fr").
    notes: Counter[str] = field(default_factory=Counter)
    #: Seconds the tag agent spends coding one article, by agent name.
    latency: dict[str, Histogram] = field(default_factory=dict)

    def observe_latency(self, agent: str, seconds: float) -> None:
        """Add one processing time of ``agent`` to its histogram."""
        histogram = self.latency.get(agent)
        if histogram is None:
            histogram = self.latency[agent] = Histogram()
        histogram.observe(seconds)

    def timed(self, agent: str, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)``, its wall time observed into ``agent``'s latency histogram."""
        started = time.perf_counter()
        try:
            return func(*args)
        finally:
            self.observe_latency(agent, time.perf_counter() - started)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "records_in": dict(self.records_in),
            "records_out": dict(self.records_out),
            "dead_letters": dict(self.dead_letters),
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
        }


#: Upper bounds (seconds) of the tagging-latency buckets: the tagger codes a typical article in
#: about 0.1 ms, a long one in a few ms; the top buckets catch pathological bodies.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


@dataclass
class Histogram:
    """A cumulative histogram in the Prometheus sense: counts per upper bound, sum and count."""

    bounds: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if list(self.bounds) != sorted(self.bounds):
            raise ValueError("histogram bounds must rise")
        # One slot per bound plus +Inf; observe() fills the first slot that fits.
        self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        """Count one observation (a value above every bound lands in +Inf)."""
        import bisect

        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count of observations <= le)`` for every bound and ``+Inf``."""
        out, running = [], 0
        for bound, n in zip([*map(repr, self.bounds), "+Inf"], self.counts, strict=True):
            running += n
            out.append((bound, running))
        return out
