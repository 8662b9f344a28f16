"""The README's worked example of the magnitude rule is what the code computes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from streams.backtest import TIMELINE, load_timeline, run_backtest
from streams.demo import SAMPLE, load_articles
from streams.settings import PACKAGE_ROOT, load_settings


def test_the_october_2024_barrage_example_matches_the_backtest() -> None:
    settings = load_settings()
    result = run_backtest(settings, load_articles(SAMPLE), load_timeline(TIMELINE))
    snap = next(s for s in result.snapshots
                if s["dyad"] == "IRN-ISR" and s["as_of"] == datetime(2024, 10, 2, tzinfo=UTC))
    top = [(t["source"], t["target"], t["cameo_code"], t["modality"], round(t["weight"], 2), t["num_sources"])
           for t in snap["top_events"]]
    assert top == [("IRN", "ISR", "195", "ASSERTED", -30.79, 250), ("IRN", "ISR", "13", "ASSERTED", -13.32, 125),
                   ("ISR", "IRN", "13", "ASSERTED", -12.02, 125)]
    decayed = math.fsum(t["weight"] for t in snap["top_events"])
    assert (round(decayed, 2), round(-decayed - snap["tension_score"], 2)) == (-56.13, 1.05)
    assert (snap["tension_score"], snap["tension_index"], snap["level"]) == (55.08312, 66.7682, "SEVERE")
    readme = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    scale = next(span for span in result.events if span["event_id"] == snap["top_events"][0]["event_id"])
    sentence = scale["evidence"]["sentence"]
    assert [sentence[x["start"]:x["end"]] for x in scale["evidence"]["spans"] if x["label"] == "SCALE"] == ["180 ballistic missiles"]
    for text in ('| 0.9 | 250 outlets → 2.5 | 1.25 | "180 ballistic missiles" 1.25 | 3.906, capped 3.5 | −30.79 |',
                 "| 0.9 | 125 → 2.5 | 1 | 1 | 2.5 | −13.32 |", "| 0.812 | 125 → 2.5 | 1 | 1 | 2.5 | −12.02 |",
                 "Together −56.13, less 1.05 of the dyad's verbal routine: score 55.08",
                 "100 × (1 − e^(−55.08/50)) = 66.77, level **SEVERE**"):
        assert text in readme, text
