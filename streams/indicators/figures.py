"""The figures of one snapshot, computed from a dyad's merged events.

Everything is summed in a fixed order (by event time, then key) so that streaming and batch
computations over the same events give bit-identical floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from streams.indicators.state import MergedEvent
from streams.settings import IndicatorSettings

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
    # P(X <= count-1) by summing terms in log space, stable for small and large expected.
    log_term = -expected
    cdf = math.exp(log_term)
    for k in range(1, count):
        log_term += math.log(expected) - math.log(k)
        cdf += math.exp(log_term)
    tail = max(1.0 - cdf, 0.0)
    if tail <= 10 ** -SURPRISE_CAP:
        return SURPRISE_CAP
    return min(SURPRISE_CAP, -math.log10(tail))


def compute_figures(
    dyad: str, as_of_ms: int, events: Sequence[MergedEvent], cfg: IndicatorSettings
) -> dict[str, Any]:
    """Window sums, decayed scores, baseline and surprise at ``as_of_ms`` (exclusive).

    ``events`` must be sorted by (time_ms, key) and may include events after ``as_of_ms``.
    """
    countries = dyad.split("-")
    directions = [(countries[0], countries[1]), (countries[1], countries[0])]
    window_ms = [ms(w.total_seconds()) for w in cfg.windows]
    shortest = window_ms[0]
    baseline_ms = ms(cfg.baseline.total_seconds())
    memory_ms = baseline_ms + window_ms[-1]
    half_life_ms = ms(cfg.half_life.total_seconds())

    windows = [
        {"conflict": 0.0, "coop": 0.0, "count": 0, "quads": [0, 0, 0, 0],
         "dirs": {d: [0.0, 0.0, 0] for d in directions}}
        for _ in window_ms
    ]
    score = 0.0
    coop_score = 0.0
    baseline_count = 0
    short_conflicts = 0
    contributions: list[tuple[float, str, MergedEvent]] = []
    for event in events:
        age = as_of_ms - event.time_ms
        if age <= 0:
            break
        if age > memory_ms:
            continue
        value = event.weight * event.goldstein
        decay = 0.5 ** (age / half_life_ms)
        if value < 0:
            score += -value * decay
            contributions.append((-value * decay, event.rep_id, event))
            if age <= shortest:
                short_conflicts += 1
            elif age <= shortest + baseline_ms:
                baseline_count += 1
        elif value > 0:
            coop_score += value * decay
        for size, figures in zip(window_ms, windows):
            if age > size:
                continue
            if value < 0:
                figures["conflict"] += value
            else:
                figures["coop"] += value
            figures["count"] += 1
            figures["quads"][event.quad_class - 1] += 1
            direction = figures["dirs"].get((event.source, event.target))
            if direction is not None:
                direction[0 if value < 0 else 1] += value
                direction[2] += 1

    baseline_days = baseline_ms / DAY_MS
    # Half an event of prior over the baseline: an empty history is quiet, not infinitely quiet.
    rate = (baseline_count + 0.5) / baseline_days
    surprise = poisson_surprise(short_conflicts, rate * shortest / DAY_MS)
    index = 100.0 * (1.0 - math.exp(-score / cfg.index_scale))
    contributions.sort(key=lambda item: (-item[0], item[1]))
    top = [
        {
            "event_id": e.rep_id, "event_time": e.time_ms, "source": e.source, "target": e.target,
            "cameo_code": e.cameo_code, "modality": e.modality, "weight": round(-w, 6),
            "num_sources": e.num_sources, "sentence": e.sentence, "outlet": e.outlet, "url": e.url,
        }
        for w, _, e in contributions[: cfg.top_events]
    ]
    return {
        "tension_index": round(index, 4),
        "tension_score": round(score, 6),
        "cooperation_score": round(coop_score, 6),
        "baseline_rate": round(rate, 6),
        "surprise": round(surprise, 4),
        "windows": [
            {
                "window": label,
                "conflict_sum": round(f["conflict"], 6),
                "cooperation_sum": round(f["coop"], 6),
                "goldstein_sum": round(f["conflict"] + f["coop"], 6),
                "event_count": f["count"],
                "quad_counts": f["quads"],
                "directions": [
                    {"source": s, "target": t, "conflict_sum": round(v[0], 6),
                     "cooperation_sum": round(v[1], 6), "event_count": v[2]}
                    for (s, t), v in f["dirs"].items()
                ],
            }
            for label, f in zip(window_labels(cfg), windows)
        ],
        "top_events": top,
    }


def window_labels(cfg: IndicatorSettings) -> list[str]:
    from streams.durations import format_duration

    return [format_duration(w) for w in cfg.windows]
