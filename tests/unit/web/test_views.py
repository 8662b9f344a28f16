"""Read models: newest revision per as_of, bounded history and events, trend, notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from streams.web.config import DashboardSettings
from streams.web.views import ReadModels, alert_json, snapshot_brief, watched_dyads

T0 = datetime(2022, 9, 1, tzinfo=UTC)


def snap(dyad: str, day: int, index: float, revision: int = 0, level: str = "CALM") -> dict[str, Any]:
    return {
        "dyad": dyad, "as_of": T0 + timedelta(days=day), "step": "1d", "revision": revision, "ruleset_version": "1",
        "level": level, "provisional": False, "tension_index": index, "tension_score": 0.0, "cooperation_score": 0.0,
        "baseline_rate": 0.0, "surprise": 0.0,
        "windows": [{"window": w, "conflict_sum": -1.0, "cooperation_sum": 0.5, "goldstein_sum": -0.5, "event_count": 2,
                     "quad_counts": [0, 1, 0, 1], "directions": []} for w in ("1d", "7d")],
        "top_events": [],
    }


def event(dyad: str | None, event_id: str, day: int) -> dict[str, Any]:
    return {"event_id": event_id, "dyad": dyad, "event_time": T0 + timedelta(days=day), "cameo_code": "17",
            "evidence": {"sentence": f"sentence {event_id}", "spans": []}, "url": None, "outlet": "wire"}


def alert(dyad: str, day: int, revision: int = 0, to_level: str = "HIGH") -> dict[str, Any]:
    return {"alert_id": f"{dyad}-{day}", "dyad": dyad, "as_of": T0 + timedelta(days=day), "from_level": "CALM",
            "to_level": to_level, "revision": revision, "snapshot": snap(dyad, day, 45.0, revision, to_level)}


def models(**cfg: Any) -> ReadModels:
    return ReadModels(["ALB-IRN", "ALB-ISR", "IRN-ISR"], DashboardSettings(**cfg), windows=["1d", "7d"])


def test_watched_dyads_are_sorted_pairs() -> None:
    assert watched_dyads(["ISR", "ALB", "IRN", "ALB"]) == ["ALB-IRN", "ALB-ISR", "IRN-ISR"]


def test_newest_revision_per_as_of_wins_and_older_revisions_change_nothing() -> None:
    m = models()
    heard: list[tuple[str, int]] = []
    m.listeners.append(lambda kind, record: heard.append((kind, record["revision"])))
    assert m.add_snapshot(snap("ALB-IRN", 1, 10.0, revision=0)) is True
    assert m.add_snapshot(snap("ALB-IRN", 1, 30.0, revision=2)) is True
    assert m.add_snapshot(snap("ALB-IRN", 1, 20.0, revision=1)) is False
    assert m.add_snapshot(snap("ALB-IRN", 1, 30.0, revision=2)) is False
    series = m.series("ALB-IRN")
    assert [(s["as_of"], s["revision"], s["tension_index"]) for s in series] == [("2022-09-02T00:00:00Z", 2, 30.0)]
    assert heard == [("snapshot", 0), ("snapshot", 2)]
    assert m.seen == {"snapshot": 4, "alert": 0, "event": 0}
    assert m.ignored == {"snapshot": 2, "alert": 0, "event": 0}


def test_series_is_sorted_filtered_by_since_and_window() -> None:
    m = models()
    for day in (3, 1, 2):
        m.add_snapshot(snap("IRN-ISR", day, float(day)))
    got = m.series("IRN-ISR", window="7d", since=T0 + timedelta(days=2))
    assert [s["as_of"] for s in got] == ["2022-09-03T00:00:00Z", "2022-09-04T00:00:00Z"]
    assert [[w["window"] for w in s["windows"]] for s in got] == [["7d"], ["7d"]]
    # The stored snapshot keeps every window: the filter works on a copy.
    assert [w["window"] for w in m.series("IRN-ISR")[0]["windows"]] == ["1d", "7d"]


def test_history_bound_drops_old_snapshots_and_refuses_older_arrivals() -> None:
    m = models(history=timedelta(days=3))
    for day in range(6):
        m.add_snapshot(snap("ALB-IRN", day, float(day)))
    assert [s["as_of"][:10] for s in m.series("ALB-IRN")] == ["2022-09-03", "2022-09-04", "2022-09-05", "2022-09-06"]
    assert m.add_snapshot(snap("ALB-IRN", 0, 99.0, revision=5)) is False
    assert len(m.dyads["ALB-IRN"].snapshots) == 4


def test_summary_level_index_and_trend() -> None:
    m = models(trend_lookback=timedelta(days=7), trend_band=2.0)
    assert m.summary("ALB-ISR") == {"dyad": "ALB-ISR", "level": "CALM", "level_value": 0, "tension_index": 0.0,
                                    "change": 0.0, "trend": "steady", "as_of": None, "revision": None,
                                    "provisional": None, "snapshots": 0, "events": 0}
    m.add_snapshot(snap("ALB-IRN", 0, 10.0))
    m.add_snapshot(snap("ALB-IRN", 7, 42.5, revision=1, level="HIGH"))
    assert m.summary("ALB-IRN") == {"dyad": "ALB-IRN", "level": "HIGH", "level_value": 2, "tension_index": 42.5,
                                    "change": 32.5, "trend": "rising", "as_of": "2022-09-08T00:00:00Z",
                                    "revision": 1, "provisional": False, "snapshots": 2, "events": 0}
    m.add_snapshot(snap("ALB-IRN", 14, 41.0))
    # Seven days back from day 14 is day 7 (42.5): a change of -1.5 is inside the band.
    assert (m.summary("ALB-IRN")["change"], m.summary("ALB-IRN")["trend"]) == (-1.5, "steady")
    m.add_snapshot(snap("ALB-IRN", 15, 5.0))
    assert (m.summary("ALB-IRN")["change"], m.summary("ALB-IRN")["trend"]) == (-37.5, "falling")


def test_events_are_deduplicated_bounded_newest_first() -> None:
    m = models(events_per_dyad=3)
    for n, day in enumerate([5, 1, 3, 4, 2]):
        m.add_event(event("ALB-IRN", f"e{n}", day))
    assert m.add_event(event("ALB-IRN", "e0", 5)) is False
    assert m.add_event(event(None, "x", 9)) is False  # not a watched pair
    assert m.add_event(event("ALB-IRN", "old", 0)) is False  # older than everything kept
    assert [e["event_id"] for e in m.recent_events("ALB-IRN")] == ["e0", "e3", "e2"]
    assert [e["event_id"] for e in m.recent_events("ALB-IRN", limit=2)] == ["e0", "e3"]
    assert [e["event_id"] for e in m.recent_events("ALB-IRN", since=T0 + timedelta(days=4))] == ["e0", "e3"]
    assert m.recent_events("ALB-IRN")[0]["event_time"] == "2022-09-06T00:00:00Z"


def test_alerts_once_per_id_and_revision_bounded_newest_first() -> None:
    m = models(alerts_kept=2)
    heard: list[str] = []
    m.listeners.append(lambda kind, record: heard.append(kind))
    assert m.add_alert(alert("ALB-IRN", 1)) is True
    assert m.add_alert(alert("ALB-IRN", 1)) is False
    assert m.add_alert(alert("ALB-IRN", 1, revision=1)) is True
    assert m.add_alert(alert("IRN-ISR", 3)) is True
    assert [(a["dyad"], a["as_of"], a["revision"]) for a in m.recent_alerts()] == [
        ("IRN-ISR", "2022-09-04T00:00:00Z", 0), ("ALB-IRN", "2022-09-02T00:00:00Z", 1)]
    # The evicted (ALB-IRN-1, 0) may be announced again; it is no longer held.
    assert m.add_alert(alert("ALB-IRN", 1)) is True
    assert heard == ["alert", "alert", "alert", "alert"]
    assert [a["dyad"] for a in m.recent_alerts(since=T0 + timedelta(days=2))] == ["IRN-ISR"]


def test_a_corrected_alert_is_held_beside_its_correction_and_shown_as_superseded() -> None:
    m = models()
    first = alert("ALB-IRN", 1, revision=2, to_level="ELEVATED")
    corrected = {**alert("ALB-IRN", 1, revision=5, to_level="HIGH"), "alert_id": "ALB-IRN-1-high",
                 "status": "CORRECTED", "replaces": "ALB-IRN-1", "correction": 1}
    retracted = {**alert("ALB-IRN", 1, revision=7, to_level="CALM"), "alert_id": "ALB-IRN-1-gone",
                 "status": "RETRACTED", "replaces": "ALB-IRN-1-high", "correction": 2}
    assert [m.add_alert(a) for a in (first, corrected, corrected, retracted)] == [True, True, False, True]
    shown = [(a["alert_id"], a["status"], a["correction"], a["superseded"]) for a in m.recent_alerts()]
    assert shown == [("ALB-IRN-1-gone", "RETRACTED", 2, False), ("ALB-IRN-1-high", "CORRECTED", 1, True),
                     ("ALB-IRN-1", "RAISED", 0, True)]


def test_unknown_dyads_from_the_topics_get_their_own_view() -> None:
    m = models()
    m.add_snapshot(snap("ALB-SRB", 1, 3.0))
    assert sorted(m.dyads) == ["ALB-IRN", "ALB-ISR", "ALB-SRB", "IRN-ISR"]


def test_alert_json_and_snapshot_brief_renderings() -> None:
    a = alert("ALB-IRN", 1, revision=2)
    assert alert_json(a) == {"alert_id": "ALB-IRN-1", "dyad": "ALB-IRN", "as_of": "2022-09-02T00:00:00Z",
                             "from_level": "CALM", "to_level": "HIGH", "revision": 2, "status": "RAISED",
                             "replaces": None, "correction": 0, "superseded": False, "tension_index": 45.0,
                             "provisional": False, "top_events": []}
    brief = snapshot_brief(snap("ALB-IRN", 1, 12.0))
    assert sorted(brief) == ["as_of", "dyad", "level", "provisional", "revision", "tension_index", "top_events", "windows"]
    assert brief["as_of"] == "2022-09-02T00:00:00Z"
