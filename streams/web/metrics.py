"""``/metrics`` in the Prometheus text exposition format (version 0.0.4), built from plain data.

Pure: the handler gathers the counters, the read models' summaries and the lag figures and
this module only formats them, so the exact text is unit-tested. Metric names carry the
``geotension_`` prefix; label values are escaped as the format requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from streams.metrics import PipelineCounters
from streams.web.views import LEVELS

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def escape_label(value: str) -> str:
    """Backslash, double quote and newline escaped, as the text format requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Mapping[str, Any]) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{escape_label(str(v))}"' for k, v in pairs.items()) + "}"


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Exposition:
    """Accumulates metric families; ``text()`` renders them in order of declaration."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str, samples: Iterable[tuple[Mapping[str, Any], float]],
               suffix: str = "") -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            self.lines.append(f"{name}{suffix}{_labels(labels)} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_metrics(
    counters: PipelineCounters,
    dyads: Iterable[Mapping[str, Any]],
    lag: Mapping[tuple[str, int], int] | None,
    views_seen: Mapping[str, int] | None = None,
) -> str:
    """The whole /metrics body.

    ``dyads`` are :meth:`ReadModels.summary` rows; ``lag`` maps (topic, partition) to records
    not yet read by this worker's consumer (None when the worker owns no partitions yet).
    """
    out = Exposition()
    out.family("geotension_records_in_total", "counter", "Records an agent has taken from its input topic.",
               [({"agent": a}, n) for a, n in sorted(counters.records_in.items())])
    out.family("geotension_records_out_total", "counter", "Records an agent has produced, by agent or output.",
               [({"agent": a}, n) for a, n in sorted(counters.records_out.items())])
    out.family("geotension_dead_letters_total", "counter",
               "Records sent to the dead-letter topic, by agent and error type.",
               [({"agent": k.split(":", 1)[0], "reason": k.split(":", 1)[-1]}, n)
                for k, n in sorted(counters.dead_letters.items())])
    out.family("geotension_skipped_total", "counter", "Records processed without output, by agent and cause.",
               [({"agent": k.split(":", 1)[0], "cause": k.split(":", 1)[-1]}, n)
                for k, n in sorted(counters.skipped.items())])
    out.family("geotension_consumer_lag", "gauge",
               "Records on an assigned input partition that this worker has not read yet.",
               [({"topic": t, "partition": p}, n) for (t, p), n in sorted((lag or {}).items())])
    for agent, histogram in sorted(counters.latency.items()):
        name = f"geotension_{agent}_latency_seconds"
        out.lines.append(f"# HELP {name} Seconds the {agent} agent spends on one record.")
        out.lines.append(f"# TYPE {name} histogram")
        for le, count in histogram.cumulative():
            out.lines.append(f'{name}_bucket{{le="{le}"}} {count}')
        out.lines.append(f"{name}_sum {histogram.total!r}")
        out.lines.append(f"{name}_count {histogram.count}")
    rows = list(dyads)
    out.family("geotension_dyad_level", "gauge",
               "Current escalation level per dyad: " + ", ".join(f"{n}={name}" for n, name in enumerate(LEVELS)) + ".",
               [({"dyad": r["dyad"], "level": r["level"]}, r["level_value"]) for r in rows])
    out.family("geotension_dyad_tension_index", "gauge", "Current tension index (0-100) per dyad.",
               [({"dyad": r["dyad"]}, r["tension_index"]) for r in rows])
    if views_seen is not None:
        out.family("geotension_view_records_total", "counter", "Output records the read models have consumed, by kind.",
                   [({"kind": k}, n) for k, n in sorted(views_seen.items())])
    return out.text()
