"""``/metrics`` through prometheus-client: the pipeline's counts, latency, lag and dyad gauges,
plus the process and Python GC metrics.

The agents' counters, the read models' summaries and the lag figures are gathered by the
handler and handed to a collector made for that scrape (:class:`PipelineCollector`), so the
exposition is prometheus-client's own (text format 0.0.4, or OpenMetrics when the scraper asks
for it) and the families are unit-tested without a server. Every metric carries the
``geotension_`` prefix; per-agent figures have an ``agent`` label.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from streams.metrics import PipelineCounters
from streams.web.views import LEVELS

#: The text format's content type (what a scraper that asks for nothing in particular gets).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Process (CPU, memory, file descriptors, start time), GC and interpreter metrics: made once
#: (in a registry of their own rather than prometheus-client's global one), then registered in
#: each scrape's registry.
_RUNTIME = CollectorRegistry(auto_describe=True)
RUNTIME_COLLECTORS: tuple[Collector, ...] = (ProcessCollector(registry=_RUNTIME), GCCollector(registry=_RUNTIME),
                                             PlatformCollector(registry=_RUNTIME))


def _split(key: str) -> tuple[str, str]:
    """``"agent:detail"`` → (agent, detail); a key without a colon is its own detail."""
    agent, _, detail = key.partition(":")
    return agent, detail or key


class PipelineCollector(Collector):
    """The families of one scrape, from plain data gathered by the handler."""

    def __init__(self, counters: PipelineCounters, dyads: Iterable[Mapping[str, Any]],
                 lag: Mapping[tuple[str, int], int] | None, views_seen: Mapping[str, int] | None = None) -> None:
        self.counters, self.dyads, self.lag, self.views_seen = counters, list(dyads), lag, views_seen

    def collect(self) -> Iterator[Metric]:
        c = self.counters
        family = CounterMetricFamily("geotension_records_in", "Records an agent has taken from its input topic.",
                                     labels=["agent"])
        for agent, n in sorted(c.records_in.items()):
            family.add_metric([agent], n)
        yield family
        family = CounterMetricFamily("geotension_records_out", "Records an agent has produced, by agent or output.",
                                     labels=["agent"])
        for agent, n in sorted(c.records_out.items()):
            family.add_metric([agent], n)
        yield family
        family = CounterMetricFamily("geotension_dead_letters",
                                     "Records sent to the dead-letter topic, by agent and error type.",
                                     labels=["agent", "reason"])
        for key, n in sorted(c.dead_letters.items()):
            family.add_metric(list(_split(key)), n)
        yield family
        family = CounterMetricFamily("geotension_skipped", "Records processed without output, by agent and cause.",
                                     labels=["agent", "cause"])
        for key, n in sorted(c.skipped.items()):
            family.add_metric(list(_split(key)), n)
        yield family
        gauge = GaugeMetricFamily("geotension_consumer_lag",
                                  "Records on an assigned input partition that this worker has not read yet.",
                                  labels=["topic", "partition"])
        for (topic, partition), n in sorted((self.lag or {}).items()):
            gauge.add_metric([topic, str(partition)], n)
        yield gauge
        gauge = GaugeMetricFamily("geotension_dyad_level", "Current escalation level per dyad: "
                                  + ", ".join(f"{n}={name}" for n, name in enumerate(LEVELS)) + ".",
                                  labels=["dyad", "level"])
        for row in self.dyads:
            gauge.add_metric([row["dyad"], row["level"]], row["level_value"])
        yield gauge
        gauge = GaugeMetricFamily("geotension_dyad_tension_index", "Current tension index (0-100) per dyad.",
                                  labels=["dyad"])
        for row in self.dyads:
            gauge.add_metric([row["dyad"]], row["tension_index"])
        yield gauge
        if self.views_seen is not None:
            family = CounterMetricFamily("geotension_view_records",
                                         "Output records the read models have consumed, by kind.", labels=["kind"])
            for kind, n in sorted(self.views_seen.items()):
                family.add_metric([kind], n)
            yield family


def render_metrics(
    counters: PipelineCounters,
    dyads: Iterable[Mapping[str, Any]],
    lag: Mapping[tuple[str, int], int] | None,
    views_seen: Mapping[str, int] | None = None,
    accept: str = "",
    runtime: bool = True,
) -> tuple[bytes, str]:
    """The /metrics body and its content type for a scraper sending ``accept``.

    ``dyads`` are :meth:`ReadModels.summary` rows; ``lag`` maps (topic, partition) to records
    not yet read by this worker's consumer (None when the worker owns no partitions yet).
    ``runtime`` adds the process, GC and interpreter metrics.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PipelineCollector(counters, dyads, lag, views_seen))
    registry.register(counters.latency)
    if runtime:
        for collector in RUNTIME_COLLECTORS:
            registry.register(collector)
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
