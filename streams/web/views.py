"""In-memory read models of the output topics: what the API, the page and /metrics show.

Pure: no Kafka or faust. The views agent feeds decoded records in (``add_snapshot``,
``add_alert``, ``add_event``); the HTTP handlers query them. Memory is bounded by
:class:`~streams.web.config.DashboardSettings`: snapshots within ``history`` of each dyad's
newest ``as_of``, the newest ``events_per_dyad`` events per dyad, the newest ``alerts_kept``
alerts. Snapshots are kept as the newest revision per ``(dyad, as_of)``, the same rule a
Kafka consumer of tension.indicators applies, so a correction replaces what it corrects.

Subscribers (the /api/stream clients) get ``(kind, record)`` for every snapshot or alert that
changed a model; a duplicate or an older revision changes nothing and is not announced.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from streams.records import format_time, to_jsonable
from streams.web.config import DashboardSettings

LEVELS = ("CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL")
#: Numeric value of each level (the Prometheus gauge and the page's level bands).
LEVEL_VALUE = {name: n for n, name in enumerate(LEVELS)}

Listener = Callable[[str, Mapping[str, Any]], None]


def watched_dyads(watched: Iterable[str]) -> list[str]:
    """Sorted pairs of watched states: ``[ALB, IRN, ISR]`` → ALB-IRN, ALB-ISR, IRN-ISR."""
    states = sorted({str(code) for code in watched})
    return [f"{a}-{b}" for i, a in enumerate(states) for b in states[i + 1 :]]


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


class DyadView:
    """One dyad: newest revision per as_of (sorted by as_of) and its newest events."""

    def __init__(self, dyad: str, events_kept: int) -> None:
        self.dyad = dyad
        self.as_ofs: list[int] = []
        self.snapshots: dict[int, dict[str, Any]] = {}
        self.events_kept = events_kept
        # (event_time ms, event_id) sorted; event_id → record.
        self.event_order: list[tuple[int, str]] = []
        self.events: dict[str, dict[str, Any]] = {}

    def latest(self) -> dict[str, Any] | None:
        return self.snapshots[self.as_ofs[-1]] if self.as_ofs else None


class ReadModels:
    """Per-dyad snapshot series, recent events and recent alerts, with change notification."""

    def __init__(self, dyads: Iterable[str], cfg: DashboardSettings, windows: Iterable[str] = ()) -> None:
        self.cfg = cfg
        self.windows = list(windows)
        self.dyads: dict[str, DyadView] = {d: DyadView(d, cfg.events_per_dyad) for d in dyads}
        self.alerts: deque[dict[str, Any]] = deque(maxlen=cfg.alerts_kept)
        self._alert_keys: dict[tuple[str, int, int], None] = {}
        #: (dyad, as_of ms) → highest ``correction`` held for that step (see EscalationAlert).
        self._step_corrections: dict[tuple[str, int], int] = {}
        self.listeners: list[Listener] = []
        #: Records seen per kind, and records that changed nothing (duplicates, older revisions).
        self.seen: dict[str, int] = {"snapshot": 0, "alert": 0, "event": 0}
        self.ignored: dict[str, int] = {"snapshot": 0, "alert": 0, "event": 0}

    # ---------------------------------------------------------------- feeding
    def _view(self, dyad: str) -> DyadView:
        view = self.dyads.get(dyad)
        if view is None:
            # A dyad outside the watched list (another config wrote the topic): show it too.
            view = self.dyads[dyad] = DyadView(dyad, self.cfg.events_per_dyad)
        return view

    def _notify(self, kind: str, record: Mapping[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(kind, record)

    def add_snapshot(self, snap: Mapping[str, Any]) -> bool:
        """Keep ``snap`` if it is the newest revision of its (dyad, as_of); True if it changed the view."""
        self.seen["snapshot"] += 1
        view = self._view(str(snap["dyad"]))
        key = _ms(snap["as_of"])
        old = view.snapshots.get(key)
        history_ms = int(self.cfg.history.total_seconds() * 1000)
        if (old is not None and old["revision"] >= snap["revision"]) or (
            view.as_ofs and key < view.as_ofs[-1] - history_ms
        ):
            self.ignored["snapshot"] += 1
            return False
        if old is None:
            bisect.insort(view.as_ofs, key)
        view.snapshots[key] = dict(snap)
        cut = bisect.bisect_left(view.as_ofs, view.as_ofs[-1] - history_ms)
        for gone in view.as_ofs[:cut]:
            del view.snapshots[gone]
        del view.as_ofs[:cut]
        self._notify("snapshot", snap)
        return True

    def add_alert(self, alert: Mapping[str, Any]) -> bool:
        """Keep an alert record once per (alert_id, revision, correction); True if new.

        Corrections and retractions are kept beside the records they supersede, so the
        dashboard can show an alert as corrected (see :meth:`superseded`).
        """
        self.seen["alert"] += 1
        key = _alert_key(alert)
        if key in self._alert_keys:
            self.ignored["alert"] += 1
            return False
        if len(self.alerts) == self.alerts.maxlen:
            oldest = self.alerts[0]
            self._alert_keys.pop(_alert_key(oldest), None)
        self.alerts.append(dict(alert))
        self._alert_keys[key] = None
        step = (str(alert["dyad"]), _ms(alert["as_of"]))
        self._step_corrections[step] = max(self._step_corrections.get(step, 0), int(alert.get("correction") or 0))
        if len(self._step_corrections) > 4 * (self.alerts.maxlen or 1):
            held = {(str(a["dyad"]), _ms(a["as_of"])) for a in self.alerts}
            self._step_corrections = {k: v for k, v in self._step_corrections.items() if k in held}
        self._view(str(alert["dyad"]))
        self._notify("alert", alert)
        return True

    def add_event(self, event: Mapping[str, Any]) -> bool:
        """Keep a watched-dyad event (newest ``events_per_dyad`` by event time); True if kept."""
        self.seen["event"] += 1
        dyad = event.get("dyad")
        if not dyad or event["event_id"] in self._view(str(dyad)).events:
            self.ignored["event"] += 1
            return False
        view = self._view(str(dyad))
        entry = (_ms(event["event_time"]), str(event["event_id"]))
        if len(view.event_order) >= view.events_kept and entry < view.event_order[0]:
            self.ignored["event"] += 1
            return False
        bisect.insort(view.event_order, entry)
        view.events[entry[1]] = dict(event)
        while len(view.event_order) > view.events_kept:
            _, gone = view.event_order.pop(0)
            del view.events[gone]
        return True

    # ---------------------------------------------------------------- queries
    def summary(self, dyad: str) -> dict[str, Any]:
        """Current level, index and trend of one dyad (CALM and 0 before any snapshot)."""
        view = self.dyads[dyad]
        latest = view.latest()
        if latest is None:
            return {"dyad": dyad, "level": "CALM", "level_value": 0, "tension_index": 0.0, "change": 0.0,
                    "trend": "steady", "as_of": None, "revision": None, "provisional": None,
                    "snapshots": 0, "events": len(view.events)}
        lookback_ms = view.as_ofs[-1] - int(self.cfg.trend_lookback.total_seconds() * 1000)
        at = bisect.bisect_right(view.as_ofs, lookback_ms)
        # Before the first kept snapshot the dyad counts as calm (index 0).
        before = view.snapshots[view.as_ofs[at - 1]]["tension_index"] if at > 0 else 0.0
        change = round(latest["tension_index"] - before, 6)
        band = self.cfg.trend_band
        trend = "rising" if change > band else "falling" if change < -band else "steady"
        return {
            "dyad": dyad,
            "level": latest["level"],
            "level_value": LEVEL_VALUE[latest["level"]],
            "tension_index": latest["tension_index"],
            "change": change,
            "trend": trend,
            "as_of": format_time(latest["as_of"]),
            "revision": latest["revision"],
            "provisional": latest.get("provisional", False),
            "snapshots": len(view.as_ofs),
            "events": len(view.events),
        }

    def dyad_summaries(self) -> list[dict[str, Any]]:
        return [self.summary(d) for d in sorted(self.dyads)]

    def series(self, dyad: str, window: str | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
        """Newest revision per as_of, oldest first, as JSON; ``window`` keeps only that window's figures."""
        view = self.dyads[dyad]
        start = bisect.bisect_left(view.as_ofs, _ms(since)) if since is not None else 0
        out = []
        for key in view.as_ofs[start:]:
            snap = view.snapshots[key]
            if window is not None:
                snap = {**snap, "windows": [w for w in snap["windows"] if w["window"] == window]}
            out.append(to_jsonable(snap))
        return out

    def recent_events(self, dyad: str, since: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first, at most ``limit``, event_time >= ``since``."""
        view = self.dyads[dyad]
        floor = _ms(since) if since is not None else None
        out = []
        for time_ms, event_id in reversed(view.event_order):
            if floor is not None and time_ms < floor:
                break
            out.append(to_jsonable(view.events[event_id]))
            if len(out) >= limit:
                break
        return out

    def recent_alerts(self, since: datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Alerts by as_of, newest first (``since`` compares as_of), without the embedded snapshot's windows."""
        chosen = [a for a in self.alerts if since is None or a["as_of"] >= since]
        chosen.sort(key=lambda a: (a["as_of"], a["dyad"], a["revision"]), reverse=True)
        if limit is not None:
            chosen = chosen[:limit]
        return [alert_json(a, self.superseded(a)) for a in chosen]

    def superseded(self, alert: Mapping[str, Any]) -> bool:
        """True when a later record for the same (dyad, as_of) corrected or retracted this one."""
        step = (str(alert["dyad"]), _ms(alert["as_of"]))
        return int(alert.get("correction") or 0) < self._step_corrections.get(step, 0)


def alert_json(alert: Mapping[str, Any], superseded: bool = False) -> dict[str, Any]:
    """An alert for the API: its fields plus the snapshot's headline figures and top events.

    ``status``, ``replaces`` and ``correction`` say whether it corrects or retracts an
    earlier alert of its step; ``superseded`` whether a later one has corrected it.
    """
    snap = alert["snapshot"]
    return to_jsonable({
        "alert_id": alert["alert_id"],
        "dyad": alert["dyad"],
        "as_of": alert["as_of"],
        "from_level": alert["from_level"],
        "to_level": alert["to_level"],
        "revision": alert["revision"],
        "status": alert.get("status") or "RAISED",
        "replaces": alert.get("replaces"),
        "correction": int(alert.get("correction") or 0),
        "superseded": superseded,
        "tension_index": snap["tension_index"],
        "provisional": snap.get("provisional", False),
        "top_events": snap["top_events"],
    })


def _alert_key(alert: Mapping[str, Any]) -> tuple[str, int, int]:
    return str(alert["alert_id"]), int(alert["revision"]), int(alert.get("correction") or 0)


def snapshot_brief(snap: Mapping[str, Any]) -> dict[str, Any]:
    """What /api/stream sends per snapshot: enough to extend a chart and a level badge."""
    return to_jsonable({
        "dyad": snap["dyad"],
        "as_of": snap["as_of"],
        "revision": snap["revision"],
        "provisional": snap.get("provisional", False),
        "level": snap["level"],
        "tension_index": snap["tension_index"],
        "windows": snap["windows"],
        "top_events": snap["top_events"],
    })
