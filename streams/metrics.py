"""In-process counters the agents keep and the web server reports.

The counts are plain ``Counter`` objects the agents bump (``counters.records_in["tag"] += 1``),
so agents stay free of any metrics API and ``/api/counters`` can show them as JSON; the
per-record latency is a prometheus-client ``Histogram`` labelled by agent, kept in the
pipeline's own registry (several pipelines in one process, as in tests, do not collide).
:mod:`streams.web.metrics` exposes all of it, with process and GC metrics, on ``/metrics``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics

T = TypeVar("T")

# A ``_created`` series per histogram child only doubles the output: the process start time is
# exported already, and nothing here is reset while the process runs.
disable_created_metrics()

#: Upper bounds (seconds) of the latency buckets: the tagger codes a typical article in about
#: 0.1 ms, a long one in a few ms; the top buckets catch pathological bodies.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


def _latency_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("geotension_agent_latency_seconds", "Seconds an agent spends on one record.", ["agent"],
                     buckets=LATENCY_BUCKETS, registry=registry)


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
    #: The pipeline's own metrics registry (the latency histogram lives here).
    registry: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))
    latency: Histogram = field(init=False)

    def __post_init__(self) -> None:
        self.latency = _latency_histogram(self.registry)

    def observe_latency(self, agent: str, seconds: float) -> None:
        """Add one processing time of ``agent`` to the latency histogram."""
        self.latency.labels(agent=agent).observe(seconds)

    def timed(self, agent: str, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)``, its wall time observed into ``agent``'s latency histogram."""
        started = time.perf_counter()
        try:
            return func(*args)
        finally:
            self.observe_latency(agent, time.perf_counter() - started)

    def latency_count(self, agent: str) -> int:
        """How many latencies of ``agent`` were observed."""
        value = self.registry.get_sample_value("geotension_agent_latency_seconds_count", {"agent": agent})
        return int(value or 0)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "records_in": dict(self.records_in),
            "records_out": dict(self.records_out),
            "dead_letters": dict(self.dead_letters),
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
        }
