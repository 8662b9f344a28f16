"""`geotension demo` end to end on the session broker: its table equals the offline computation."""

from __future__ import annotations

import dataclasses

import pytest

from streams.demo import SAMPLE, load_articles, run_demo
from streams.indicators import batch_indicators
from streams.settings import load_settings
from streams.tagging import Tagger

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_demo_prints_the_table_the_offline_path_computes(kafka_bootstrap: str) -> None:
    base = load_settings()
    settings = dataclasses.replace(base, kafka=dataclasses.replace(base.kafka, bootstrap=kafka_bootstrap))
    said: list[str] = []
    table = run_demo(settings, said.append)

    tagger = Tagger.from_settings(settings)
    events = sorted((e for a in load_articles(SAMPLE) for e in tagger.tag(a)), key=lambda e: e["event_time"])
    snapshots, _, _ = batch_indicators(events, settings.indicators)
    expected = []
    for dyad in ("ALB-IRN", "ALB-ISR", "IRN-ISR"):
        series = [s for s in snapshots if s["dyad"] == dyad]
        peak = max(series, key=lambda s: s["tension_index"])
        count = sum(1 for e in events if e["dyad"] == dyad)
        peak_on = peak["as_of"].strftime("%Y-%m-%d") if peak["tension_index"] > 0 else "-"
        expected.append([dyad, str(count), f"{peak['tension_index']:.1f}", peak_on, series[-1]["level"]])
    rows = [line.split() for line in table.splitlines()[2:]]
    assert [[r[0], r[1], r[3], r[4], r[5]] for r in rows] == expected
    assert any(line.startswith("produced 114 sample articles") for line in said)
