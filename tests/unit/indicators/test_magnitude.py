"""Magnitude: coverage, severity and scale weigh an event; the largest attacks set a floor; calm stays calm.

Every scenario runs on the shipped ``config/indicators.yaml``, so the figures are the ones
analysts see.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from streams.indicators import batch_indicators
from streams.indicators.levels import LEVELS, next_level
from streams.settings import load_settings
from tests.unit.indicators.fixtures import make_event

CFG = load_settings().indicators
DAY = 86_400_000


def ev(event_id: str, when: datetime, source: str = "IRN", target: str = "ISR", cameo: str = "195",
       goldstein: float = -10.0, quad: int = 4, outlet: str = "wire", role: str = "GOV", confidence: float = 0.9,
       modality: str = "ASSERTED", num_sources: int = 1, spans: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    event = make_event(event_id, when, source=source, target=target, cameo=cameo, goldstein=goldstein, quad=quad,
                       modality=modality, confidence=confidence, num_sources=num_sources)
    event["outlet"] = outlet
    event["source"]["role"] = role
    event["evidence"]["spans"] = list(spans)
    return event


def by_day(events: list[dict[str, Any]], dyad: str = "IRN-ISR") -> dict[str, dict[str, Any]]:
    snaps, _, rejected = batch_indicators(events, CFG)
    assert rejected == []
    return {s["as_of"].strftime("%Y-%m-%d"): s for s in snaps if s["dyad"] == dyad}


def one_day_conflict(events: list[dict[str, Any]]) -> float:
    return by_day(events)["2024-10-02"]["windows"][0]["conflict_sum"]


T = datetime(2024, 10, 1, 16, tzinfo=UTC)


def test_coverage_raises_weight_sub_linearly_and_capped_and_one_outlet_counts_once() -> None:
    wire = [ev("a", T, cameo="190")]
    assert one_day_conflict(wire) == -9.0
    # Ten outlets: 1 + 0.35 * log2(10) = 2.1627
    ten = [ev(f"a{k}", T, cameo="190", outlet=f"o{k}") for k in range(10)]
    assert one_day_conflict(ten) == -19.464073
    # Thirty outlets reach the cap of 2.5; three hundred weigh no more.
    assert one_day_conflict([ev(f"a{k}", T, cameo="190", outlet=f"o{k}") for k in range(30)]) == -22.5
    assert one_day_conflict([ev("g", T, cameo="190", outlet="o", num_sources=300)]) == -22.5
    # Ten reports from one outlet are one report.
    assert one_day_conflict([ev(f"a{k}", T, cameo="190") for k in range(10)]) == -9.0


def test_severity_within_a_root_and_scale_evidence_raise_weight_within_the_cap() -> None:
    assert one_day_conflict([ev("a", T, cameo="195")]) == -11.25  # aerial weapons: 1.25 x the root's 190
    scale = ({"start": 0, "end": 7, "label": "SCALE"},)
    assert one_day_conflict([ev("a", T, cameo="195", spans=scale)]) == -14.0625  # 1.25 x 1.25
    # Scale evidence on a verbal act counts nothing.
    assert one_day_conflict([ev("a", T, cameo="13", goldstein=-6.0, quad=3, spans=scale)]) == -5.4
    # Coverage 2.5 x severity 1.25 x scale 1.25 = 3.9 is capped at max_boost 3.5.
    wide = [ev(f"a{k}", T, cameo="195", outlet=f"o{k}", spans=scale) for k in range(30)]
    assert one_day_conflict(wide) == -31.5


def history() -> list[dict[str, Any]]:
    """Six months of Iran-Israel conflict: the April exchange, then threats every third day."""
    start = datetime(2024, 4, 1, 12, tzinfo=UTC)
    events = [
        ev("h1", start, source="ISR", target="IRN", cameo="190", modality="ATTRIBUTED", num_sources=30, outlet="w1"),
        ev("h2", start + timedelta(days=13), num_sources=30, outlet="w2"),
        ev("h3", start + timedelta(days=18), source="ISR", target="IRN", modality="ATTRIBUTED", num_sources=30,
           outlet="w3"),
    ]
    for k in range(0, 160, 3):
        events.append(ev(f"t{k}", start + timedelta(days=20 + k), cameo="13", goldstein=-6.0, quad=3,
                         outlet=f"o{k % 5}"))
    return events


def test_the_october_2024_barrage_reads_high_on_its_day_over_a_raised_baseline() -> None:
    # Three reports of 30 sources each from three agencies, after six months of conflict.
    barrage = [ev(f"b{k}", T + timedelta(minutes=10 * k), outlet=f"agency{k}", num_sources=30) for k in range(3)]
    days = by_day(history() + barrage)
    before, after = days["2024-10-01"], days["2024-10-02"]
    # The threats are the dyad's routine by now: verbal conflict at its usual rate reads 0.
    assert (before["level"], before["tension_index"], before["baseline_rate"]) == ("CALM", 0.0, 0.313889)
    assert (after["level"], after["tension_index"], after["tension_score"]) == ("HIGH", 41.9715, 27.211834)
    assert after["top_events"][0]["weight"] == -27.211831  # -10 x 0.9 x 3.5, decayed for 8 hours
    # Reported by one wire alone it is one event of -11.25 and no largest-class attack.
    single = by_day(history() + [ev("b", T, outlet="agency0")])["2024-10-02"]
    assert (single["level"], single["tension_index"]) == ("CALM", 19.5629)


def test_a_largest_class_attack_lifts_the_dyad_to_high_even_when_the_index_is_lower() -> None:
    # A -9.5 strike reported as attributed by 20 outlets: index under HIGH, the floor lifts it.
    strike = [ev(f"s{k}", T, source="ISR", target="IRN", cameo="192", goldstein=-9.5, modality="ATTRIBUTED",
                 confidence=0.6, outlet=f"o{k}") for k in range(20)]
    # An event on another dyad ten days on moves event time past the strike's quiet days.
    tail = [ev("tail", T + timedelta(days=10), source="ALB", target="IRN", cameo="111", goldstein=-2.0, quad=3)]
    days = by_day(strike + tail)
    assert [(d, days[d]["level"], days[d]["tension_index"]) for d in sorted(days)[:5]] == [
        ("2024-10-02", "HIGH", 19.796),
        ("2024-10-03", "HIGH", 18.1106),  # the dwell holds the level two days ...
        ("2024-10-04", "ELEVATED", 16.5534),  # ... then it falls to what the index supports
        ("2024-10-05", "ELEVATED", 15.1176),
        ("2024-10-06", "ELEVATED", 13.7958),
    ]
    # Not the largest class: 19 outlets, a proxy, or only alleged.
    few = strike[:19]
    proxy = [{**e, "source": {**e["source"], "role": "STATE_PROXY"}} for e in strike]
    alleged = [{**e, "modality": "ALLEGED"} for e in strike]
    for events in (few, proxy, alleged):
        assert by_day(events)["2024-10-02"]["level"] in ("CALM", "ELEVATED")


def test_dwell_only_slows_moves_down_never_up() -> None:
    levels = CFG.levels
    # Held HIGH for an hour: a floor or an index above lifts it at once.
    assert next_level("HIGH", 10 * DAY, 10 * DAY + 3_600_000, 10.0, levels, floor="SEVERE") == (
        "SEVERE", 10 * DAY + 3_600_000)
    assert next_level("ELEVATED", 10 * DAY, 10 * DAY + 1, 65.0, levels) == ("SEVERE", 10 * DAY + 1)
    # A floor under the current level changes nothing; the dwell still holds a fall.
    assert next_level("SEVERE", 10 * DAY, 11 * DAY, 5.0, levels, floor="HIGH") == ("SEVERE", 10 * DAY)
    assert next_level("SEVERE", 10 * DAY, 12 * DAY, 5.0, levels, floor="HIGH") == ("HIGH", 12 * DAY)


def test_constant_low_level_hostility_raises_no_false_high() -> None:
    # A year of daily rhetoric: 0-3 threats, accusations and condemnations a day, 1-5 outlets
    # each, and a minor sanction once a month.
    rnd = random.Random(14)
    start = datetime(2023, 1, 1, 9, tzinfo=UTC)
    verbal = [("111", -2.0), ("112", -2.0), ("12", -4.0), ("13", -6.0), ("1121", -2.0)]
    events = []
    for day in range(365):
        for k in range(rnd.randint(0, 3)):
            code, goldstein = rnd.choice(verbal)
            for o in range(rnd.randint(1, 5)):
                events.append(ev(f"v{day}-{k}-{o}", start + timedelta(days=day, hours=k), source=rnd.choice(["IRN", "ISR"]),
                                 target="ISR", cameo=code, goldstein=goldstein, quad=3, outlet=f"o{o}",
                                 confidence=rnd.choice([0.6, 0.8, 0.9])))
        if day % 30 == 15:
            events.append(ev(f"m{day}", start + timedelta(days=day, hours=5), cameo="163", goldstein=-8.0,
                             confidence=0.7))
    events = [e for e in events if e["source"]["country"] != e["target"]["country"]]
    days = by_day(events)
    quiet = [d for d in days if d >= "2023-03-01"]  # after the dyad's routine has formed
    high = [d for d in quiet if LEVELS.index(days[d]["level"]) >= LEVELS.index("HIGH")]
    assert (len(quiet), len(high)) == (306, 3)
    assert len(high) <= 0.05 * len(quiet)
    assert [days[d]["level"] for d in high] == ["HIGH"] * 3


def test_the_cooperative_dyad_stays_below_high_and_praise_or_a_visit_raise_nothing() -> None:
    start = datetime(2023, 2, 1, 9, tzinfo=UTC)
    events = []
    for week in range(26):
        when = start + timedelta(days=7 * week)
        events.append(ev(f"p{week}", when, source="ALB", target="ISR", cameo="051", goldstein=3.4, quad=1,
                         outlet=f"o{week % 4}", num_sources=10))
        events.append(ev(f"v{week}", when, source="ISR", target="ALB", cameo="042", goldstein=1.9, quad=1,
                         num_sources=30))
    # One critical remark in the half year.
    events.append(ev("c", start + timedelta(days=40), source="ALB", target="ISR", cameo="111", goldstein=-2.0, quad=3))
    events.sort(key=lambda e: e["event_time"])
    days = by_day(events, "ALB-ISR")
    assert {s["level"] for s in days.values()} == {"CALM"}
    assert max(s["tension_index"] for s in days.values()) == 3.3273
    praise_only = by_day([e for e in events if e["event_id"] != "c"], "ALB-ISR")
    assert {(s["level"], s["tension_index"]) for s in praise_only.values()} == {("CALM", 0.0)}
    assert praise_only["2023-02-02"]["cooperation_score"] == 10.239087


def test_levels_fall_back_after_quiet_weeks() -> None:
    barrage = [ev(f"b{k}", T, outlet=f"agency{k}", num_sources=30) for k in range(3)]
    days = by_day(history() + barrage + [ev("late", T + timedelta(days=60), cameo="111", goldstein=-2.0, quad=3)])
    changes = []
    previous = None
    for d in sorted(days):
        if d >= "2024-10-01" and days[d]["level"] != previous:
            changes.append((d, days[d]["level"]))
        previous = days[d]["level"]
    # HIGH while the index stays within the hysteresis (32), ELEVATED until it is under 12.
    assert changes == [("2024-10-02", "HIGH"), ("2024-10-06", "ELEVATED"),
                       ("2024-10-17", "CALM")]
