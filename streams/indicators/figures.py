"""The figures of one snapshot, from per-bucket aggregates of a dyad's merged events.

Events are aggregated into fixed event-time buckets (the greatest common divisor of the step,
the windows and the baseline, one day by default). A bucket's aggregate is recomputed from
its own merged events whenever one of them changes, always in the same order, and a snapshot
sums bucket aggregates in bucket order: the cost of a snapshot depends on the configured
memory (baseline + longest window), never on the length of the stream, and streaming and
batch computations give bit-identical floats whatever order the events arrived in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.indicators.state import MergedEvent

DAY_MS = 86_400_000
SURPRISE_CAP = 10.0


def ms(delta_seconds: float) -> int:
    return int(round(delta_seconds * 1000))


def poisson_surprise(count: int, expected: float) -> float:
    """-log10 P(X >= count) for X ~ Poisson(expected): how unusual a burst is for this dyad.

    Sound for sparse counts where a z-score is not: zero observed events are never
    surprising, and one event after months of silence is only mildly so.
    """
    if count <= 0:
        return 0.0
    expected = max(expected, 1e-9)
    log_term = -expected
    cdf = math.exp(log_term)
    for k in range(1, count):
        log_term += math.log(expected) - math.log(k)
        cdf += math.exp(log_term)
    tail = max(1.0 - cdf, 0.0)
    if tail <= 10 ** -SURPRISE_CAP:
        return SURPRISE_CAP
    return min(SURPRISE_CAP, -math.log10(tail))


@dataclass
class Bucket:
    """Aggregate of the merged events whose time falls in [start, start + size)."""

    start: int
    conflict: list[float] = field(default_factory=lambda: [0.0, 0.0])
    coop: list[float] = field(default_factory=lambda: [0.0, 0.0])
    dir_counts: list[int] = field(default_factory=lambda: [0, 0])
    count: int = 0
    conflict_count: int = 0
    quads: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    # Decayed weights as of the bucket's end; a snapshot decays them further by whole buckets.
    score_at_end: float = 0.0
    coop_at_end: float = 0.0
    top: list[tuple[float, str, MergedEvent]] = field(default_factory=list)


def build_bucket(start: int, size: int, events: Iterable[MergedEvent], directions: tuple[tuple[str, str], ...],
                 half_life_ms: int, top_n: int) -> Bucket:
    """Aggregate one bucket from its merged events (sorted here, so arrival order never matters)."""
    bucket = Bucket(start)
    end = start + size
    contributions = []
    for event in sorted(events, key=lambda e: (e.time_ms, e.key)):
        value = event.weight * event.goldstein
        decay = 0.5 ** ((end - event.time_ms) / half_life_ms)
        direction = 0 if (event.source, event.target) == directions[0] else 1 if (event.source, event.target) == directions[1] else -1
        bucket.count += 1
        bucket.quads[event.quad_class - 1] += 1
        if direction >= 0:
            bucket.dir_counts[direction] += 1
        if value < 0:
            bucket.conflict_count += 1
            bucket.score_at_end += -value * decay
            contributions.append((-value * decay, event.rep_id, event))
            if direction >= 0:
                bucket.conflict[direction] += value
        else:
            bucket.coop_at_end += value * decay
            if direction >= 0:
                bucket.coop[direction] += value
    contributions.sort(key=lambda item: (-item[0], item[1]))
    bucket.top = contributions[:top_n]
    return bucket


def directions_of(dyad: str) -> tuple[tuple[str, str], tuple[str, str]]:
    a, b = dyad.split("-", 1)
    return (a, b), (b, a)


@dataclass
class Sums:
    """Raw (unrounded) sums over a range of buckets, as seen from one boundary."""

    score: float = 0.0
    coop_score: float = 0.0
    short_conflicts: int = 0
    baseline_count: int = 0
    # per window: conflict a→b, conflict b→a, coop a→b, coop b→a, count a→b, count b→a, count, q1..q4
    windows: list[list[float]] = field(default_factory=list)
    tops: list[tuple[float, str, MergedEvent]] = field(default_factory=list)


@dataclass(frozen=True)
class FigureParams:
    """The configuration compute_figures needs, resolved to milliseconds once."""

    size: int
    window_ms: tuple[int, ...]
    labels: tuple[str, ...]
    baseline_ms: int
    half_life_ms: int
    index_scale: float
    top_n: int

    @property
    def memory_ms(self) -> int:
        return self.baseline_ms + self.window_ms[-1]


def accumulate(buckets: dict[int, Bucket], as_of_ms: int, lo: int, hi: int, p: FigureParams) -> Sums:
    """Sums over the buckets starting in [lo, hi), newest first, seen from ``as_of_ms``."""
    sums = Sums(windows=[[0.0] * 11 for _ in p.window_ms])
    shortest = p.window_ms[0]
    start = hi - p.size
    while start >= lo:
        bucket = buckets.get(start)
        if bucket is not None:
            age_end = as_of_ms - (start + p.size)
            decay = 0.5 ** (age_end / p.half_life_ms)
            sums.score += bucket.score_at_end * decay
            sums.coop_score += bucket.coop_at_end * decay
            if age_end < shortest:
                sums.short_conflicts += bucket.conflict_count
            elif age_end < shortest + p.baseline_ms:
                sums.baseline_count += bucket.conflict_count
            for weight, rep, event in bucket.top:
                sums.tops.append((weight * decay, rep, event))
            for size_ms, w in zip(p.window_ms, sums.windows, strict=True):
                if age_end >= size_ms:
                    continue
                w[0] += bucket.conflict[0]
                w[1] += bucket.conflict[1]
                w[2] += bucket.coop[0]
                w[3] += bucket.coop[1]
                w[4] += bucket.dir_counts[0]
                w[5] += bucket.dir_counts[1]
                w[6] += bucket.count
                w[7] += bucket.quads[0]
                w[8] += bucket.quads[1]
                w[9] += bucket.quads[2]
                w[10] += bucket.quads[3]
        start -= p.size
    sums.tops.sort(key=lambda item: (-item[0], item[1]))
    del sums.tops[p.top_n :]
    return sums


def combine(recent: Sums, older: Sums, top_n: int) -> Sums:
    """recent + older, always in that order so the floats do not depend on caching."""
    tops = recent.tops + older.tops
    tops.sort(key=lambda item: (-item[0], item[1]))
    return Sums(
        score=recent.score + older.score,
        coop_score=recent.coop_score + older.coop_score,
        short_conflicts=recent.short_conflicts + older.short_conflicts,
        baseline_count=recent.baseline_count + older.baseline_count,
        windows=[[a + b for a, b in zip(x, y, strict=True)] for x, y in zip(recent.windows, older.windows, strict=True)],
        tops=tops[:top_n],
    )


def finish(dyad: str, sums: Sums, p: FigureParams) -> dict[str, Any]:
    """Round and shape the sums into the snapshot's figures."""
    directions = directions_of(dyad)
    baseline_days = p.baseline_ms / DAY_MS
    # Half an event of prior over the baseline: an empty history is quiet, not infinitely quiet.
    rate = (sums.baseline_count + 0.5) / baseline_days
    surprise = poisson_surprise(sums.short_conflicts, rate * p.window_ms[0] / DAY_MS)
    index = 100.0 * (1.0 - math.exp(-sums.score / p.index_scale))
    return {
        "tension_index": round(index, 4),
        "tension_score": round(sums.score, 6),
        "cooperation_score": round(sums.coop_score, 6),
        "baseline_rate": round(rate, 6),
        "surprise": round(surprise, 4),
        "windows": [_window(label, w, directions) for label, w in zip(p.labels, sums.windows, strict=True)],
        "top_events": [
            {
                "event_id": e.rep_id, "event_time": e.time_ms, "source": e.source, "target": e.target,
                "cameo_code": e.cameo_code, "modality": e.modality, "weight": round(-w, 6),
                "num_sources": e.num_sources, "sentence": e.sentence, "outlet": e.outlet, "url": e.url,
            }
            for w, _, e in sums.tops
        ],
    }


def _window(label: str, w: list[float], directions: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    conflict = w[0] + w[1]
    coop = w[2] + w[3]
    return {
        "window": label,
        "conflict_sum": round(conflict, 6),
        "cooperation_sum": round(coop, 6),
        "goldstein_sum": round(conflict + coop, 6),
        "event_count": int(w[6]),
        "quad_counts": [int(w[7]), int(w[8]), int(w[9]), int(w[10])],
        "directions": [
            {"source": s, "target": t, "conflict_sum": round(w[d], 6),
             "cooperation_sum": round(w[2 + d], 6), "event_count": int(w[4 + d])}
            for d, (s, t) in enumerate(directions)
        ],
    }
