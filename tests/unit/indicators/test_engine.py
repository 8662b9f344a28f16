"""The indicator engine: exact figures, merging, late data, horizon, levels, batch equality."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.errors import IndicatorError
from streams.indicators import IndicatorEngine, Update, batch_indicators
from streams.indicators.engine import to_ms
from streams.indicators.figures import poisson_surprise
from streams.indicators.levels import next_level
from streams.settings import IndicatorSettings, LevelSettings
from tests.unit.indicators.fixtures import T0, days, make_event

CFG = IndicatorSettings(
    windows=(timedelta(days=1), timedelta(days=7)),
    horizon=timedelta(days=30),
    half_life=timedelta(days=7),
    baseline=timedelta(days=60),
    index_scale=30.0,
    modality_weights={"ASSERTED": 1.0, "ALLEGED": 0.5, "DENIED": 0.2},
    levels=LevelSettings(enter={"ELEVATED": 20.0, "HIGH": 40.0, "SEVERE": 60.0, "CRITICAL": 80.0},
                         hysteresis=8.0, min_dwell=timedelta(days=2)),
    top_events=3,
)


def as_of(snapshot: dict) -> str:
    return snapshot["as_of"].strftime("%Y-%m-%d")


def test_one_event_gives_one_provisional_snapshot_with_exact_figures() -> None:
    snaps, alerts, rejected = batch_indicators([make_event("e1", T0)], CFG)
    assert rejected == []
    assert len(snaps) == 1
    snap = snaps[0]
    # 14 hours of decay at a 7-day half-life: 4 * 0.5 ** (14 / 168)
    assert snap["tension_score"] == round(4 * 0.5 ** (14 / 168), 6) == 3.775497
    assert snap["windows"][0] == {
        "window": "1d", "conflict_sum": -4.0, "cooperation_sum": 0.0, "goldstein_sum": -4.0, "event_count": 1,
        "quad_counts": [0, 0, 0, 1],
        "directions": [
            {"source": "ALB", "target": "IRN", "conflict_sum": -4.0, "cooperation_sum": 0.0, "event_count": 1},
            {"source": "IRN", "target": "ALB", "conflict_sum": 0.0, "cooperation_sum": 0.0, "event_count": 0},
        ],
    }
    assert (snap["dyad"], as_of(snap), snap["provisional"], snap["level"], snap["revision"]) == (
        "ALB-IRN", "2022-09-08", True, "CALM", 2)
    assert snap["top_events"][0]["event_id"] == "e1"
    assert alerts == []


def test_reports_of_one_event_merge_and_count_sources() -> None:
    events = [
        make_event("e1", T0, modality="ALLEGED", confidence=0.8),
        make_event("e2", T0 + timedelta(hours=3), modality="ASSERTED", confidence=0.9, num_sources=2),
        make_event("e1", T0),  # redelivery of the same report
    ]
    snaps, _, _ = batch_indicators(events, CFG)
    top = snaps[-1]["top_events"]
    assert len(top) == 1
    assert (top[0]["event_id"], top[0]["num_sources"], top[0]["modality"]) == ("e2", 3, "ASSERTED")
    # weight of the strongest report (0.9), time of the earliest (T0); one outlet ("wire")
    # whose largest report stands for 2 sources: coverage 2, factor 1 + 0.35 * log2(2)
    assert snaps[-1]["windows"][0]["conflict_sum"] == round(-4 * 0.9 * 1.35, 6) == -4.86
    assert top[0]["event_time"] == T0


def test_cooperation_and_conflict_are_kept_apart() -> None:
    events = [make_event("c", T0, source="ALB", target="ISR", cameo="057", goldstein=8.0, quad=1),
              make_event("k", T0, source="ISR", target="ALB", cameo="111", goldstein=-2.0, quad=3)]
    snaps, _, _ = batch_indicators(events, CFG)
    window = snaps[-1]["windows"][0]
    assert (window["conflict_sum"], window["cooperation_sum"], window["goldstein_sum"]) == (-2.0, 8.0, 6.0)
    assert window["quad_counts"] == [1, 0, 1, 0]


def test_quiet_days_get_snapshots_and_decay() -> None:
    events = [make_event("e1", T0), make_event("e2", T0 + days(3), source="IRN", target="ISR", cameo="195",
                                                 goldstein=-10.0)]
    snaps, _, _ = batch_indicators(events, CFG)
    alb = [s for s in snaps if s["dyad"] == "ALB-IRN"]
    assert [as_of(s) for s in alb] == ["2022-09-08", "2022-09-09", "2022-09-10", "2022-09-11"]
    assert [s["provisional"] for s in alb] == [False, False, False, True]
    scores = [s["tension_score"] for s in alb]
    assert scores == sorted(scores, reverse=True)


def test_late_event_re_emits_later_snapshots_with_higher_revision() -> None:
    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    first = engine.apply(state, make_event("e1", T0), to_ms(T0))
    later = T0 + days(3)
    engine.apply(state, make_event("e2", later), to_ms(later))
    update = engine.apply(state, make_event("late", T0 + days(1)), to_ms(later))
    # revision = 2 x reports covered, + 1 once the step has closed
    assert [s["revision"] for s in first.snapshots] == [2]
    assert [(as_of(s), s["revision"], s["provisional"]) for s in update.snapshots] == [
        ("2022-09-09", 5, False), ("2022-09-10", 5, False), ("2022-09-11", 6, True)]


def test_event_beyond_horizon_is_refused() -> None:
    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    now = to_ms(T0 + days(40))
    with pytest.raises(IndicatorError, match=r"event old is 40.0 days behind the newest event time, beyond the 30d horizon"):
        engine.apply(state, make_event("old", T0), now)


def test_event_without_dyad_is_refused() -> None:
    event = {**make_event("x", T0), "dyad": None}
    with pytest.raises(IndicatorError, match="event x has no watched dyad"):
        IndicatorEngine(CFG).apply(IndicatorEngine(CFG).new_state("ALB-IRN"), event, to_ms(T0))


def test_level_rises_at_once_and_falls_only_after_dwell_and_hysteresis() -> None:
    levels = CFG.levels
    day = 86_400_000
    assert next_level("CALM", None, 10 * day, 45.0, levels) == ("HIGH", 10 * day)
    # below HIGH's threshold but within hysteresis: holds
    assert next_level("HIGH", 10 * day, 13 * day, 35.0, levels) == ("HIGH", 10 * day)
    # far below, but dwell not over: holds
    assert next_level("HIGH", 10 * day, 11 * day, 5.0, levels) == ("HIGH", 10 * day)
    # far below after dwell: falls to the level the index still supports with hysteresis
    assert next_level("HIGH", 10 * day, 13 * day, 15.0, levels) == ("ELEVATED", 13 * day)
    assert next_level("HIGH", 10 * day, 13 * day, 5.0, levels) == ("CALM", 13 * day)


def test_alerts_follow_level_changes() -> None:
    burst = [make_event(f"e{i}", T0 + timedelta(minutes=i), cameo=f"17{i}", goldstein=-7.0) for i in range(4)]
    snaps, alerts, _ = batch_indicators(burst + [make_event("q", T0 + days(20), source="IRN", target="ISR")], CFG)
    changes = [(a["dyad"], as_of(a), a["from_level"], a["to_level"]) for a in alerts]
    assert changes[0] == ("ALB-IRN", "2022-09-08", "CALM", "HIGH")
    assert changes[-1][3] == "CALM"
    assert all(a["snapshot"]["level"] == a["to_level"] for a in alerts)


def test_poisson_surprise() -> None:
    assert poisson_surprise(0, 0.5) == 0.0
    assert poisson_surprise(1, 0.01) == pytest.approx(-__import__("math").log10(1 - __import__("math").exp(-0.01)))
    assert poisson_surprise(50, 0.001) == 10.0


event_strategy = st.builds(
    lambda n, hours, pair, code, modality, outlet, sources, role, scaled: (
        n, hours, pair, code, modality, outlet, sources, role, scaled),
    st.integers(0, 10_000),
    st.integers(0, 24 * 25),
    st.sampled_from([("ALB", "IRN"), ("IRN", "ALB"), ("IRN", "ISR"), ("ISR", "ALB")]),
    st.sampled_from([("161", -4.0, 4), ("172", -5.0, 4), ("111", -2.0, 3), ("057", 8.0, 1), ("195", -10.0, 4)]),
    st.sampled_from(["ASSERTED", "ALLEGED", "DENIED"]),
    # Outlets, coverage, roles and scale evidence: the magnitude and the largest-class floor.
    st.sampled_from(["wire", "daily", None]),
    st.sampled_from([1, 3, 25]),
    st.sampled_from(["GOV", "STATE_PROXY"]),
    st.booleans(),
)


def stream_latest(events: list, batch: int) -> list:
    """Newest revision per (dyad, as_of) from the engine fed ``events`` in the given order.

    ``batch`` > 1 defers emission and flushes after every ``batch`` events, as the agent does.
    """
    engine = IndicatorEngine(CFG)
    states: dict = {}
    latest: dict = {}
    wm = None
    defer = batch > 1

    def keep(update: Update) -> None:
        for snap in update.snapshots:
            key = (snap["dyad"], snap["as_of"])
            assert key not in latest or snap["revision"] >= latest[key]["revision"]
            latest[key] = snap

    for i, event in enumerate(events, start=1):
        t = to_ms(event["event_time"])
        wm = t if wm is None else max(wm, t)
        state = states.setdefault(event["dyad"], engine.new_state(event["dyad"]))
        update = engine.apply(state, event, wm, defer=defer)
        for other in states.values():
            if other is not state:
                update.extend(engine.advance(other, wm, defer=defer))
        keep(update)
        if defer and (i % batch == 0 or i == len(events)):
            for each in states.values():
                keep(engine.flush(each, wm))
    return [s for _, s in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[0][1]))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event_strategy, min_size=1, max_size=25), st.randoms(use_true_random=False), st.integers(1, 12))
def test_shuffled_order_with_duplicates_equals_in_order_batch(raw: list, rnd: random.Random, batch: int) -> None:
    events = []
    for i, (n, hours, (src, tgt), (code, gs, quad), modality, outlet, sources, role, scaled) in enumerate(raw):
        event = make_event(f"e{n}-{i}", T0 + timedelta(hours=hours), src, tgt, code, gs, quad, modality,
                           num_sources=sources)
        event["outlet"] = outlet
        event["source"]["role"] = role
        event["evidence"]["spans"] = [{"start": 0, "end": 4, "label": "SCALE"}] if scaled else []
        events.append(event)
    in_order = sorted(events, key=lambda e: (e["event_time"], e["event_id"]))
    shuffled = events + [rnd.choice(events) for _ in range(3)]
    rnd.shuffle(shuffled)
    expected, _, _ = batch_indicators(in_order, CFG)
    assert stream_latest(shuffled, batch) == expected


def test_deferred_emission_emits_each_step_once_per_flush() -> None:
    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    for n in range(5):
        when = T0 + timedelta(hours=n)
        assert engine.apply(state, make_event(f"d{n}", when), to_ms(when), defer=True) == Update()
    flushed = engine.flush(state, to_ms(T0 + timedelta(hours=4)))
    assert [(s["as_of"], s["revision"], s["provisional"]) for s in flushed.snapshots] == [
        (datetime(2022, 9, 8, tzinfo=UTC), 10, True)]
    assert engine.flush(state, to_ms(T0 + timedelta(hours=4))) == Update()
    direct = engine.new_state("ALB-IRN")
    for n in range(5):
        when = T0 + timedelta(hours=n)
        last = engine.apply(direct, make_event(f"d{n}", when), to_ms(when))
    assert last.snapshots == flushed.snapshots


def test_state_round_trips_through_json() -> None:
    import json

    from streams.indicators.state import DyadState

    engine = IndicatorEngine(CFG)
    state = engine.new_state("ALB-IRN")
    engine.apply(state, make_event("e1", T0), to_ms(T0))
    copy = DyadState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert copy == state
    later = T0 + days(2)
    a = engine.apply(state, make_event("e2", later), to_ms(later))
    b = engine.apply(copy, make_event("e2", later), to_ms(later))
    assert a == b


def test_datetime_helpers_are_utc() -> None:
    assert to_ms(datetime(1970, 1, 2, tzinfo=UTC)) == 86_400_000
    assert dataclasses.is_dataclass(CFG)
