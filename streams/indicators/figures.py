"""The figures of one snapshot, from per-bucket aggregates of a dyad's merged events.

A dyad's merged events are aggregated into fixed event-time buckets (the greatest common
divisor of the step, the windows and the baseline: one day by default). Each aggregate field
lives in its own list indexed by bucket, so a window sum is one slice sum and the decayed
score one ``math.fsum`` over a slice times precomputed decay factors. ``math.fsum`` is exact
to the last bit whatever the order of updates, and a bucket's aggregate is always rebuilt
from its own events in one fixed order: streaming and batch computations give identical
figures whatever order events arrived in, and a snapshot costs the same after ten events or
ten million.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.indicators.magnitude import Magnitude
from streams.indicators.state import MergedEvent

DAY_MS = 86_400_000
SURPRISE_CAP = 10.0
#: A dyad's verbal routine is its rate over at least this many days: two days of threats are no routine.
ROUTINE_MIN_DAYS = 30.0

# Aggregate fields per bucket: conflict and cooperation per direction (a→b, b→a), event
# counts per direction and in all, QuadClass counts, conflict events, decayed weights at the
# bucket's end, verbal conflict (decayed, and plain for the baseline), largest-class events.
FLOAT_FIELDS = ("conflict_ab", "conflict_ba", "coop_ab", "coop_ba", "score", "coop_score", "verbal_score", "verbal")
INT_FIELDS = ("n_ab", "n_ba", "n", "q1", "q2", "q3", "q4", "conflicts", "reports", "largest")


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


@dataclass(frozen=True)
class FigureParams:
    """The configuration the figures need, resolved to milliseconds and bucket counts once."""

    size: int
    window_ms: tuple[int, ...]
    labels: tuple[str, ...]
    baseline_ms: int
    half_life_ms: int
    index_scale: float
    top_n: int
    routine_discount: float = 0.0

    @property
    def memory_buckets(self) -> int:
        """Buckets a snapshot looks back over: the baseline before the shortest window, or the longest window."""
        return max(self.baseline_ms + self.window_ms[0], self.window_ms[-1]) // self.size

    def decay_by_age(self) -> list[float]:
        """Decay factor of a bucket by its age in buckets (0 = the bucket just before as_of)."""
        return [0.5 ** (age * self.size / self.half_life_ms) for age in range(self.memory_buckets)]


@dataclass
class Series:
    """Per-bucket aggregate lists of one dyad, from bucket ``origin`` onwards."""

    size: int
    origin: int | None = None
    floats: dict[str, list[float]] = field(default_factory=lambda: {f: [] for f in FLOAT_FIELDS})
    ints: dict[str, list[int]] = field(default_factory=lambda: {f: [] for f in INT_FIELDS})
    tops: list[list[tuple[float, str, MergedEvent]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tops)

    def index(self, start: int) -> int:
        """List index of the bucket starting at ``start``, growing the lists as needed."""
        if self.origin is None:
            self.origin = start
        if start < self.origin:
            grow = (self.origin - start) // self.size
            for values in self.floats.values():
                values[:0] = [0.0] * grow
            for counts in self.ints.values():
                counts[:0] = [0] * grow
            self.tops[:0] = [[] for _ in range(grow)]
            self.origin = start
        position = (start - self.origin) // self.size
        if position >= len(self.tops):
            grow = position + 1 - len(self.tops)
            for values in self.floats.values():
                values.extend([0.0] * grow)
            for counts in self.ints.values():
                counts.extend([0] * grow)
            self.tops.extend([] for _ in range(grow))
        return position

    def drop_before(self, start: int) -> None:
        """Forget buckets older than ``start``."""
        if self.origin is None or start <= self.origin:
            return
        cut = min((start - self.origin) // self.size, len(self.tops))
        for values in self.floats.values():
            del values[:cut]
        for counts in self.ints.values():
            del counts[:cut]
        del self.tops[:cut]
        self.origin += cut * self.size

    def set_bucket(self, start: int, events: Iterable[MergedEvent], directions: tuple[tuple[str, str], ...],
                   half_life_ms: int, top_n: int, magnitude: Magnitude) -> None:
        """Rebuild one bucket's aggregate from its merged events (sorted here: order never matters)."""
        i = self.index(start)
        end = start + self.size
        f = {name: 0.0 for name in FLOAT_FIELDS}
        n = {name: 0 for name in INT_FIELDS}
        contributions = []
        for event in sorted(events, key=lambda e: (e.time_ms, e.key)):
            value = magnitude.weight(event) * event.goldstein
            decay = 0.5 ** ((end - event.time_ms) / half_life_ms)
            pair = (event.source, event.target)
            forward = pair == directions[0]
            backward = pair == directions[1]
            n["n"] += 1
            n["reports"] += len(event.ids)
            n[f"q{event.quad_class}"] += 1
            n["n_ab"] += forward
            n["n_ba"] += backward
            n["largest"] += magnitude.is_largest(event)
            if value < 0:
                n["conflicts"] += 1
                f["score"] += -value * decay
                if event.quad_class == 3:
                    f["verbal_score"] += -value * decay
                    f["verbal"] += -value
                contributions.append((-value * decay, event.rep_id, event))
                if forward:
                    f["conflict_ab"] += value
                elif backward:
                    f["conflict_ba"] += value
            else:
                f["coop_score"] += value * decay
                if forward:
                    f["coop_ab"] += value
                elif backward:
                    f["coop_ba"] += value
        for name in FLOAT_FIELDS:
            self.floats[name][i] = f[name]
        for name in INT_FIELDS:
            self.ints[name][i] = n[name]
        contributions.sort(key=lambda item: (-item[0], item[1]))
        self.tops[i] = contributions[:top_n]


def directions_of(dyad: str) -> tuple[tuple[str, str], tuple[str, str]]:
    a, b = dyad.split("-", 1)
    return (a, b), (b, a)


class FigureCalculator:
    """Computes a snapshot's figures from a :class:`Series`."""

    def __init__(self, params: FigureParams) -> None:
        self.p = params
        decay = params.decay_by_age()
        self.decay_oldest_first = decay[::-1]
        self.decay = decay
        self.window_buckets = [w // params.size for w in params.window_ms]
        self.baseline_buckets = params.baseline_ms // params.size
        # What a steady rate of one unit of weight per day adds to the decayed score.
        self.steady = math.fsum(decay) * DAY_MS / params.size

    def figures(self, dyad: str, series: Series, as_of_ms: int) -> dict[str, Any]:
        """Window sums, decayed scores, baseline, surprise and top events at ``as_of_ms`` (exclusive)."""
        p = self.p
        hi = 0 if series.origin is None else (as_of_ms - series.origin) // p.size
        hi = max(0, min(hi, len(series)))
        # Buckets missing on the right (after the newest event) are empty: shift ages instead.
        gap = 0 if series.origin is None else max(0, (as_of_ms - series.origin) // p.size - hi)
        fl, it = series.floats, series.ints

        def fsum(name: str, count: int) -> float:
            lo = max(0, hi - max(count - gap, 0))
            return math.fsum(fl[name][lo:hi]) if count > gap else 0.0

        def routine_rate(count: int, skip: int) -> float:
            """Verbal conflict per day over the baseline, from its first event on (at least ROUTINE_MIN_DAYS)."""
            if count <= gap:
                return 0.0
            top = hi - max(skip - gap, 0)
            lo = max(0, hi - max(count - gap, 0))
            values = fl["verbal"][lo:max(top, lo)]
            first = next((j for j, value in enumerate(values) if value), None)
            if first is None:
                return 0.0
            # Buckets of the baseline after the newest event (the gap) are quiet days of it too.
            days = max(ROUTINE_MIN_DAYS, (len(values) - first + max(gap - skip, 0)) * p.size / DAY_MS)
            return math.fsum(values) / days

        def isum(name: str, count: int, skip: int = 0) -> int:
            top = hi - max(skip - gap, 0)
            lo = max(0, hi - max(count - gap, 0))
            return sum(it[name][lo:max(top, lo)]) if count > gap else 0

        memory = len(self.decay)
        lo = max(0, hi - max(memory - gap, 0))
        factors = self.decay_oldest_first[memory - gap - (hi - lo): memory - gap] if memory > gap else []
        raw_score = math.fsum(map(operator.mul, fl["score"][lo:hi], factors))
        verbal_score = math.fsum(map(operator.mul, fl["verbal_score"][lo:hi], factors))
        coop_score = math.fsum(map(operator.mul, fl["coop_score"][lo:hi], factors))

        shortest = self.window_buckets[0]
        short_conflicts = isum("conflicts", shortest)
        reports = isum("reports", memory)
        baseline_count = isum("conflicts", shortest + self.baseline_buckets, skip=shortest)
        baseline_days = p.baseline_ms / DAY_MS
        # Verbal conflict counts only above the dyad's routine: the decayed score its baseline
        # rate of threats and accusations would keep up. Material conflict always counts whole.
        routine = routine_rate(shortest + self.baseline_buckets, shortest) * self.steady
        score = raw_score - p.routine_discount * min(verbal_score, routine)
        largest = isum("largest", shortest)
        # Half an event of prior over the baseline: an empty history is quiet, not infinitely quiet.
        rate = (baseline_count + 0.5) / baseline_days
        surprise = poisson_surprise(short_conflicts, rate * p.window_ms[0] / DAY_MS)
        index = 100.0 * (1.0 - math.exp(-score / p.index_scale))

        windows = []
        (a, b), (c, d) = directions_of(dyad)
        for label, count in zip(p.labels, self.window_buckets, strict=True):
            conflict_ab, conflict_ba = fsum("conflict_ab", count), fsum("conflict_ba", count)
            coop_ab, coop_ba = fsum("coop_ab", count), fsum("coop_ba", count)
            conflict = math.fsum((conflict_ab, conflict_ba))
            coop = math.fsum((coop_ab, coop_ba))
            windows.append({
                "window": label,
                "conflict_sum": round(conflict, 6),
                "cooperation_sum": round(coop, 6),
                "goldstein_sum": round(math.fsum((conflict_ab, conflict_ba, coop_ab, coop_ba)), 6),
                "event_count": isum("n", count),
                "quad_counts": [isum("q1", count), isum("q2", count), isum("q3", count), isum("q4", count)],
                "directions": [
                    {"source": a, "target": b, "conflict_sum": round(conflict_ab, 6),
                     "cooperation_sum": round(coop_ab, 6), "event_count": isum("n_ab", count)},
                    {"source": c, "target": d, "conflict_sum": round(conflict_ba, 6),
                     "cooperation_sum": round(coop_ba, 6), "event_count": isum("n_ba", count)},
                ],
            })

        # Top contributions come from the longest window, decayed to as_of.
        longest = self.window_buckets[-1]
        candidates = []
        first = max(0, hi - max(longest - gap, 0))
        for j in range(first, hi):
            factor = self.decay[hi - 1 - j + gap]
            for weight, rep, event in series.tops[j]:
                candidates.append((weight * factor, rep, event))
        chosen = heapq.nlargest(p.top_n, candidates, key=operator.itemgetter(0))
        chosen.sort(key=lambda item: (-item[0], item[1]))
        top = [
            {
                "event_id": e.rep_id, "event_time": e.time_ms, "source": e.source, "target": e.target,
                "cameo_code": e.cameo_code, "modality": e.modality, "weight": round(-w, 6),
                "num_sources": e.num_sources, "sentence": e.sentence, "outlet": e.outlet, "url": e.url,
            }
            for w, _, e in chosen
        ]
        return {
            "reports": reports,
            "largest": largest,
            "tension_index": round(index, 4),
            "tension_score": round(score, 6),
            "cooperation_score": round(coop_score, 6),
            "baseline_rate": round(rate, 6),
            "surprise": round(surprise, 4),
            "windows": windows,
            "top_events": top,
        }
