"""Alert corrections: a later event that changes a past step's level change says so on the alerts."""

from __future__ import annotations

from typing import Any

from streams.indicators import IndicatorEngine, batch_indicators
from streams.indicators.engine import to_ms
from tests.unit.indicators.fixtures import T0, days, make_event
from tests.unit.indicators.test_engine import CFG
from tests.unit.indicators.test_watermarks import fold_alerts


def conflict(event_id: str, day: float, cameo: str = "195") -> dict[str, Any]:
    return make_event(event_id, T0 + days(day), cameo=cameo, goldstein=-10.0)


def test_a_late_event_corrects_and_retracts_the_alerts_of_past_steps() -> None:
    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    seen: list[dict[str, Any]] = []

    def apply(event: dict[str, Any], newest_day: float) -> list[tuple[str, str, str, str, int]]:
        alerts = engine.apply(state, event, to_ms(T0 + days(newest_day))).alerts
        seen.extend(alerts)
        return [(a["as_of"].date().isoformat(), a["from_level"], a["to_level"], a["status"], a["correction"])
                for a in alerts]

    events = [conflict("b1", 3), make_event("q", T0 + days(6), cameo="057", goldstein=1.0, quad=1),
              conflict("c0", 2), conflict("c1", 2, "172"), conflict("c2", 2, "171")]
    assert apply(events[0], 3) == [("2022-09-11", "CALM", "ELEVATED", "RAISED", 0)]
    raised = seen[-1]
    assert (raised["replaces"], raised["correction"]) == (None, 0)
    assert apply(events[1], 6) == []
    # A late conflict on day 2: the level now rises a day earlier, and higher on day 3.
    assert apply(events[2], 6) == [("2022-09-10", "CALM", "ELEVATED", "RAISED", 0),
                                   ("2022-09-11", "ELEVATED", "HIGH", "CORRECTED", 1)]
    assert seen[-1]["replaces"] == raised["alert_id"]
    # Another: HIGH from day 2 on, so day 3 no longer changes level at all.
    assert apply(events[3], 6) == [("2022-09-10", "CALM", "HIGH", "CORRECTED", 1),
                                   ("2022-09-11", "HIGH", "HIGH", "RETRACTED", 2)]
    retraction, corrected = seen[-1], seen[-3]
    assert retraction["replaces"] == corrected["alert_id"] and retraction["alert_id"] != corrected["alert_id"]
    assert apply(events[4], 6) == [("2022-09-10", "CALM", "SEVERE", "CORRECTED", 2)]
    # Redelivering everything announces nothing new.
    for event in events:
        assert apply(event, 6) == []
    # Folded as a consumer does, the alerts are the offline command's.
    _, expected, _ = batch_indicators(events, CFG)
    assert fold_alerts(seen) == sorted((a["dyad"], a["as_of"], a["from_level"], a["to_level"]) for a in expected)
    assert [(a["as_of"].date().isoformat(), a["to_level"]) for a in expected] == [("2022-09-10", "SEVERE")]


def test_alert_steps_survive_a_restart() -> None:
    import json

    from streams.indicators.state import DyadState

    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    engine.apply(state, conflict("b1", 3), to_ms(T0 + days(3)))
    copy = DyadState.from_parts(json.loads(json.dumps(state.head())), [[m.to_dict() for m in state.merged.values()]])
    late = conflict("c0", 2)
    assert engine.apply(copy, late, to_ms(T0 + days(3))).alerts == engine.apply(state, late, to_ms(T0 + days(3))).alerts
    assert [a[1:] for _, a in sorted(copy.alerts.items())] == [["RAISED", 0], ["CORRECTED", 1]]
