"""The indicator engine: events in (any order within the horizon), snapshots and alerts out.

One engine serves the indicator agent and the offline ``geotension indicators`` command, so
the command is the oracle the streaming tests compare against::

    engine = IndicatorEngine(settings.indicators)
    state = engine.new_state("ALB-IRN")
    update = engine.apply(state, event, watermark_ms)   # snapshots + alerts to publish
    update = engine.advance(state, watermark_ms)        # quiet days as event time moves on

Snapshots sit on step boundaries (UTC midnight for ``step: 1d``); the snapshot ``as_of`` B
covers events before B. For every dyad there is one snapshot per boundary from the first one
after its first event up to the boundary after the watermark (the low watermark over the
input partitions, see :mod:`streams.indicators.clock`). The last of those is *provisional*
(its step is still open). Each time a snapshot's figures may have changed it is emitted
again with a higher ``revision`` (twice the number of reports it covers, plus one once its
step has closed): late events re-emit every boundary from their own step onwards, so the
highest revision of each (dyad, as_of) is always equal to a recomputation over the same
events.

Lateness is judged against the clock of the event's own partition (``partition_ms``; the
watermark when the caller has none), and a dyad's state is pruned against it: both are then
a function of that partition's events alone. A level change that a later event overturns
is corrected on tension.alerts (see :meth:`IndicatorEngine._alert_step`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from streams.durations import format_duration
from streams.errors import IndicatorError
from streams.indicators.figures import FigureCalculator, FigureParams, Series, directions_of, ms
from streams.indicators.levels import next_level
from streams.indicators.magnitude import SCALE_LABEL, Magnitude
from streams.indicators.state import DyadState, MergedEvent
from streams.records import utc
from streams.settings import IndicatorSettings

#: Statuses of an EscalationAlert (see IndicatorEngine._alert_step).
RAISED, CORRECTED, RETRACTED = "RAISED", "CORRECTED", "RETRACTED"


@dataclass
class Update:
    """What one call produced: snapshots and alerts, in emission order."""

    snapshots: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Update) -> None:
        self.snapshots.extend(other.snapshots)
        self.alerts.extend(other.alerts)


def to_ms(dt: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return int(round(utc(dt).timestamp() * 1000))


def from_ms(value: int) -> datetime:
    """UTC datetime from epoch milliseconds."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


class IndicatorEngine:
    """Pure indicator maths over :class:`DyadState` objects."""

    def __init__(self, cfg: IndicatorSettings) -> None:
        self.cfg = cfg
        self.step_ms = ms(cfg.step.total_seconds())
        self.step_label = format_duration(cfg.step)
        self.horizon_ms = ms(cfg.horizon.total_seconds())
        self.dedupe_ms = ms(cfg.dedupe_window.total_seconds())
        memory_ms = ms(cfg.baseline.total_seconds()) + ms(max(cfg.windows).total_seconds())
        # Keep what any snapshot inside the horizon can still need, whatever the arrival order.
        self.retain_ms = self.horizon_ms + memory_ms + self.step_ms
        self.weights = {k.upper(): v for k, v in cfg.modality_weights.items()}
        self.ruleset_version = f"indicators:{cfg.version}"
        self.window_ms = [ms(w.total_seconds()) for w in cfg.windows]
        self.window_labels = [format_duration(w) for w in cfg.windows]
        self.baseline_ms = ms(cfg.baseline.total_seconds())
        self.half_life_ms = ms(cfg.half_life.total_seconds())
        # Buckets must tile every boundary, window and the baseline exactly.
        self.bucket_ms = math.gcd(self.step_ms, self.baseline_ms, *self.window_ms)
        self.params = FigureParams(
            size=self.bucket_ms, window_ms=tuple(self.window_ms), labels=tuple(self.window_labels),
            baseline_ms=self.baseline_ms, half_life_ms=self.half_life_ms, index_scale=cfg.index_scale,
            top_n=cfg.top_events, routine_discount=cfg.magnitude.routine_discount,
        )
        self.magnitude = Magnitude(cfg.magnitude)
        self.calculator = FigureCalculator(self.params)

    # -- boundaries ------------------------------------------------------------------------
    def boundary_after(self, time_ms: int) -> int:
        """The first step boundary strictly after ``time_ms``."""
        return (time_ms // self.step_ms + 1) * self.step_ms

    def new_state(self, dyad: str) -> DyadState:
        return DyadState(dyad=dyad)

    # -- events ----------------------------------------------------------------------------
    def check(self, event: Mapping[str, Any], clock_ms: int, partition: int | None = None) -> tuple[str, int]:
        """Validate an event for the indicators; returns (dyad, event time ms).

        ``clock_ms`` is the newest event time of the event's partition (``partition``, named
        in the reason when given).
        """
        dyad = event.get("dyad")
        if not dyad:
            raise IndicatorError(f"event {event.get('event_id')} has no watched dyad")
        time_ms = to_ms(event["event_time"])
        if time_ms < clock_ms - self.horizon_ms:
            lateness_days = (clock_ms - time_ms) / 86_400_000
            where = "" if partition is None else f" of partition {partition}"
            raise IndicatorError(
                f"event {event.get('event_id')} is {lateness_days:.1f} days behind the newest event time{where}, "
                f"beyond the {format_duration(self.cfg.horizon)} horizon"
            )
        return str(dyad), time_ms

    def report_weight(self, event: Mapping[str, Any]) -> float:
        modality = str(event.get("modality") or "ASSERTED")
        return float(self.weights.get(modality, 1.0)) * float(event.get("confidence", 1.0))

    def apply(self, state: DyadState, event: Mapping[str, Any], watermark_ms: int, defer: bool = False,
              partition_ms: int | None = None, partition: int | None = None) -> Update:
        """Merge one event into ``state`` and return what must be (re-)emitted.

        ``watermark_ms`` is the watermark that closes steps; ``partition_ms`` the newest event
        time of the event's partition ``partition``, this event included, against which its
        lateness is judged (the watermark when not given: one clock for everything).
        With ``defer`` nothing is computed yet: the steps to emit are remembered and
        :meth:`flush` emits them once, however many events moved them (a batch of 500 events
        on one dyad-day costs one snapshot instead of 500). The final values are the same.
        Raises IndicatorError for an event without a dyad or beyond the horizon; a copy of
        an event already merged is never refused (it changes nothing).
        """
        clock_ms = watermark_ms if partition_ms is None else partition_ms
        event_id = str(event.get("event_id"))
        if event.get("dyad") and event_id in state.seen:
            # A redelivery (at-least-once) or a re-sent copy. What it caused may not have
            # reached the topic before a crash: the first redelivery after the state was
            # restored re-emits everything from its step on (later ones are covered by that).
            self._note_clocks(state, watermark_ms, clock_ms, partition)
            self._ensure_index(state)
            if not state.restored:
                return self.advance(state, watermark_ms, defer)
            state.restored = False
            start = min(self.boundary_after(state.merged[state.seen[event_id]].time_ms),
                        self.boundary_after(self._clock_of(state, watermark_ms) - self.horizon_ms))
            return self._emit_or_defer(state, start, watermark_ms, defer)
        _, time_ms = self.check(event, clock_ms, partition)
        self._note_clocks(state, watermark_ms, clock_ms, partition)
        source = str((event.get("source") or {}).get("country") or "")
        target = str((event.get("target") or {}).get("country") or "")
        cameo = str(event["cameo_code"])
        bucket = time_ms // self.dedupe_ms
        key = f"{source}>{target}|{cameo}|{bucket}"
        weight = self.report_weight(event)
        evidence = event.get("evidence") or {}
        self._ensure_index(state)
        merged = state.merged.get(key)
        previous_time = merged.time_ms if merged is not None else None
        reports = int(event.get("num_sources") or 1)
        outlet = str(event.get("outlet") or event.get("article_id") or event_id)
        scaled = int(event["quad_class"]) == 4 and any(
            span.get("label") == SCALE_LABEL for span in evidence.get("spans") or ())
        role = str((event.get("source") or {}).get("role") or "")
        if merged is None:
            merged = MergedEvent(
                key=key, source=source, target=target, cameo_code=cameo,
                quad_class=int(event["quad_class"]), goldstein=float(event["goldstein"]),
                time_ms=time_ms, weight=weight, num_sources=reports, rep_id=event_id,
                modality=str(event.get("modality") or "ASSERTED"), sentence=str(evidence.get("sentence") or ""),
                outlet=event.get("outlet"), url=event.get("url"), ids=[event_id],
                coverage={outlet: reports}, scaled=scaled, source_role=role,
            )
            state.merged[key] = merged
        else:
            merged.ids.append(event_id)
            merged.ids.sort()
            merged.num_sources += reports
            merged.time_ms = min(merged.time_ms, time_ms)
            merged.coverage[outlet] = max(merged.coverage.get(outlet, 0), reports)
            merged.scaled = merged.scaled or scaled
            if (-weight, event_id) < (-merged.weight, merged.rep_id):
                merged.weight = weight
                merged.rep_id = event_id
                merged.modality = str(event.get("modality") or "ASSERTED")
                merged.sentence = str(evidence.get("sentence") or "")
                merged.outlet = event.get("outlet")
                merged.url = event.get("url")
                merged.goldstein = float(event["goldstein"])
                merged.source_role = role
        state.seen[event_id] = key
        self._reindex(state, merged, previous_time)
        first = merged.time_ms if state.first_ms is None else min(state.first_ms, merged.time_ms)
        state.first_ms = first
        return self._emit_or_defer(state, self.boundary_after(merged.time_ms), watermark_ms, defer)

    @staticmethod
    def _note_clocks(state: DyadState, watermark_ms: int, clock_ms: int, partition: int | None) -> None:
        state.watermark_ms = max(state.watermark_ms or watermark_ms, watermark_ms)
        state.partition_ms = max(state.partition_ms or clock_ms, clock_ms)
        if partition is not None:
            state.partition = partition

    @staticmethod
    def _clock_of(state: DyadState, wm: int) -> int:
        """What a dyad's state is pruned against: the lower of its partition's clock and the watermark.

        Later events of the dyad are within the horizon of its partition's clock, and later
        snapshots are at or after the watermark: whatever either can still need is kept.
        """
        return wm if state.partition_ms is None else min(state.partition_ms, wm)

    def advance(self, state: DyadState, watermark_ms: int, defer: bool = False,
                partition_ms: int | None = None) -> Update:
        """Emit the boundaries event time has reached since the last call (quiet days included).

        ``partition_ms`` is the clock of the dyad's partition when known; with a single clock
        (no partitions) the watermark is that clock.
        """
        if state.first_ms is None:
            return Update()
        if partition_ms is None and state.partition is None:
            partition_ms = watermark_ms
        if partition_ms is not None:
            state.partition_ms = max(state.partition_ms or partition_ms, partition_ms)
        state.watermark_ms = max(state.watermark_ms or watermark_ms, watermark_ms)
        if not state.emitted:
            return self._emit_or_defer(state, self.boundary_after(state.first_ms), watermark_ms, defer)
        last = max(state.emitted)
        open_boundary = self.boundary_after(state.watermark_ms)
        start = last + self.step_ms
        if state.emitted[last][3] and last <= state.watermark_ms:
            start = last  # the provisional step has closed: emit its final value
        if start > open_boundary:
            return Update()
        return self._emit_or_defer(state, start, watermark_ms, defer)

    def flush(self, state: DyadState, watermark_ms: int) -> Update:
        """Emit what deferred :meth:`apply` / :meth:`advance` calls left pending on ``state``."""
        if state.pending_from is None:
            return Update()
        start, state.pending_from = state.pending_from, None
        return self._emit(state, start, watermark_ms)

    # -- snapshots -------------------------------------------------------------------------
    def _emit_or_defer(self, state: DyadState, start_ms: int, watermark_ms: int, defer: bool) -> Update:
        if not defer:
            return self._emit(state, start_ms, watermark_ms)
        state.pending_from = start_ms if state.pending_from is None else min(state.pending_from, start_ms)
        return Update()

    def _emit(self, state: DyadState, start_ms: int, watermark_ms: int) -> Update:
        wm = max(state.watermark_ms or watermark_ms, watermark_ms)
        assert state.first_ms is not None
        first_boundary = self.boundary_after(state.first_ms)
        if state.emitted:
            last = max(state.emitted)
            if state.emitted[last][3] and last <= wm:
                start_ms = min(start_ms, last)
            start_ms = min(start_ms, last + self.step_ms)
        start_ms = max(start_ms, first_boundary)
        end_ms = self.boundary_after(wm)
        self._ensure_index(state)
        update = Update()
        previous = state.emitted.get(start_ms - self.step_ms)
        level, since = (previous[1], previous[2]) if previous else ("CALM", None)
        boundary = start_ms
        while boundary <= end_ms:
            figures = self._figures(state, boundary)
            floor = self.cfg.magnitude.largest.level if figures.pop("largest") else "CALM"
            new_level, since = next_level(level, since, boundary, figures["tension_index"], self.cfg.levels, floor)
            provisional = boundary > wm
            # Grows whenever the snapshot's inputs grow (only additions ever reach it within
            # the horizon) and once more when its step closes: a deterministic function of the
            # events, so it keeps rising across crashes and restarts, and equals the batch's.
            revision = 2 * figures.pop("reports") + (0 if provisional else 1)
            state.emitted[boundary] = [revision, new_level, since, provisional]
            snapshot = self._snapshot(state.dyad, boundary, revision, new_level, provisional, figures)
            update.snapshots.append(snapshot)
            alert = self._alert_step(state, boundary, snapshot, level, new_level)
            if alert is not None:
                update.alerts.append(alert)
            level = new_level
            boundary += self.step_ms
        self._prune(state, self._clock_of(state, wm))
        return update

    def _snapshot(self, dyad: str, as_of: int, revision: int, level: str, provisional: bool,
                  figures: dict[str, Any]) -> dict[str, Any]:
        top = [{**item, "event_time": from_ms(item["event_time"])} for item in figures["top_events"]]
        return {
            "dyad": dyad,
            "as_of": from_ms(as_of),
            "step": self.step_label,
            "revision": revision,
            "ruleset_version": self.ruleset_version,
            "level": level,
            "provisional": provisional,
            "tension_index": figures["tension_index"],
            "tension_score": figures["tension_score"],
            "cooperation_score": figures["cooperation_score"],
            "baseline_rate": figures["baseline_rate"],
            "surprise": figures["surprise"],
            "windows": figures["windows"],
            "top_events": top,
        }

    def alert_for(self, snapshot: dict[str, Any], before: str) -> dict[str, Any]:
        """The EscalationAlert for a snapshot whose level differs from ``before``."""
        dyad, after = snapshot["dyad"], snapshot["level"]
        alert_id = hashlib.sha256(f"{dyad}|{to_ms(snapshot['as_of'])}|{before}|{after}".encode()).hexdigest()[:16]
        return {
            "alert_id": alert_id,
            "dyad": dyad,
            "as_of": snapshot["as_of"],
            "from_level": before,
            "to_level": after,
            "revision": snapshot["revision"],
            "snapshot": snapshot,
            "status": RAISED,
            "replaces": None,
            "correction": 0,
        }

    def _alert_step(self, state: DyadState, boundary: int, snapshot: dict[str, Any], before: str,
                    after: str) -> dict[str, Any] | None:
        """The alert record a (re-)emitted step calls for, if any.

        A step's alerts form a chain on tension.alerts: the first level change at a step is
        RAISED; when a later event changes that step's level change (other levels, or none
        any more) a CORRECTED alert or a RETRACTED record follows, naming in ``replaces`` the
        record it supersedes, with ``correction`` one higher. A consumer keeps, per (dyad,
        as_of), the record with the highest ``correction`` and drops the step if that one is
        RETRACTED. The chain's last record always agrees with the step's latest snapshot.
        """
        current = state.alerts.get(boundary)
        if after != before:
            alert = self.alert_for(snapshot, before)
            if current is None:
                state.alerts[boundary] = [alert["alert_id"], RAISED, 0]
                return alert
            if current[0] == alert["alert_id"]:
                return None  # the same level change (a re-emission or a redelivery)
            alert.update(status=CORRECTED, replaces=current[0], correction=current[2] + 1)
        elif current is None or current[1] == RETRACTED:
            return None
        else:
            alert = self.alert_for(snapshot, before)
            replaced = current[0]
            alert.update(
                alert_id=hashlib.sha256(f"{state.dyad}|{boundary}|retracts|{replaced}".encode()).hexdigest()[:16],
                status=RETRACTED, replaces=replaced, correction=current[2] + 1,
            )
        state.alerts[boundary] = [alert["alert_id"], alert["status"], alert["correction"]]
        return alert

    def _figures(self, state: DyadState, boundary: int) -> dict[str, Any]:
        assert state.series is not None
        return self.calculator.figures(state.dyad, state.series, boundary)

    # -- buckets ---------------------------------------------------------------------------
    def _bucket_of(self, time_ms: int) -> int:
        return time_ms // self.bucket_ms * self.bucket_ms

    def _ensure_index(self, state: DyadState) -> None:
        """Rebuild the derived bucket index and aggregates of a state loaded from storage."""
        if state.bucket_keys is not None:
            return
        state.bucket_keys = {}
        for key, merged in state.merged.items():
            state.bucket_keys.setdefault(self._bucket_of(merged.time_ms), set()).add(key)
        state.series = Series(self.bucket_ms)
        for start in sorted(state.bucket_keys):
            self._rebuild_bucket(state, start)
        state.dirty.clear()

    def _reindex(self, state: DyadState, merged: MergedEvent, previous_time: int | None) -> None:
        assert state.bucket_keys is not None
        start = self._bucket_of(merged.time_ms)
        if previous_time is not None and self._bucket_of(previous_time) != start:
            old = self._bucket_of(previous_time)
            state.bucket_keys[old].discard(merged.key)
            self._rebuild_bucket(state, old)
        state.bucket_keys.setdefault(start, set()).add(merged.key)
        self._rebuild_bucket(state, start)

    def _rebuild_bucket(self, state: DyadState, start: int) -> None:
        assert state.bucket_keys is not None and state.series is not None
        keys = state.bucket_keys.get(start) or set()
        if not keys:
            state.bucket_keys.pop(start, None)
        state.series.set_bucket(start, (state.merged[k] for k in keys), directions_of(state.dyad),
                                self.half_life_ms, self.cfg.top_events, self.magnitude)
        state.dirty.add(start)

    def _prune(self, state: DyadState, wm: int) -> None:
        cutoff = self._bucket_of(wm - self.retain_ms)
        assert state.bucket_keys is not None and state.series is not None
        if state.series.origin is not None and state.series.origin < cutoff:
            for start in [b for b in state.bucket_keys if b < cutoff]:
                for key in state.bucket_keys.pop(start):
                    for event_id in state.merged[key].ids:
                        state.seen.pop(event_id, None)
                    del state.merged[key]
                state.dirty.add(start)
            state.series.drop_before(cutoff)
        boundary_cutoff = wm - self.horizon_ms - 2 * self.step_ms
        for boundary in [b for b in state.emitted if b < boundary_cutoff]:
            del state.emitted[boundary]
        for boundary in [b for b in state.alerts if b < boundary_cutoff]:
            del state.alerts[boundary]


def batch_indicators(
    events: Iterable[Mapping[str, Any]], cfg: IndicatorSettings,
    partition_of: Callable[[Mapping[str, Any]], int] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[Mapping[str, Any], str]]]:
    """Recompute indicators over events in the given order: the offline oracle.

    ``partition_of`` gives the input partition of an event (the worker's tension.events
    partition: :func:`~streams.indicators.clock.key_partition` of its dyad); each event's
    lateness is judged against the clock of its own partition, so the result depends on
    each partition's order only, never on how the partitions interleave. Without it, all
    events share one clock. The watermark is the newest event time read, as for a worker
    with no records waiting. Returns (snapshots, alerts, rejected): the final value of
    every (dyad, as_of), the level changes along those final snapshots, and
    (event, reason) for events that could not enter (no dyad, beyond the horizon).
    """
    engine = IndicatorEngine(cfg)
    states: dict[str, DyadState] = {}
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    alerts: list[dict[str, Any]] = []
    rejected: list[tuple[Mapping[str, Any], str]] = []
    clocks: dict[int | None, int] = {}
    watermark: int | None = None
    for event in events:
        partition = partition_of(event) if partition_of is not None and event.get("dyad") else None
        time_ms = to_ms(event["event_time"]) if event.get("event_time") is not None else None
        clock = clocks.get(partition)
        part_ms = time_ms if clock is None or (time_ms is not None and time_ms > clock) else clock
        wm = part_ms if watermark is None or (part_ms is not None and part_ms > watermark) else watermark
        try:
            if time_ms is None:
                raise IndicatorError(f"event {event.get('event_id')} has no event_time")
            assert wm is not None and part_ms is not None
            state = states.get(str(event.get("dyad") or ""))
            if state is None or str(event.get("event_id")) not in state.seen:
                dyad, _ = engine.check(event, part_ms, partition)
                state = states.setdefault(dyad, engine.new_state(dyad))
        except IndicatorError as exc:
            rejected.append((event, str(exc)))
            continue
        assert wm is not None and part_ms is not None
        watermark, clocks[partition] = wm, part_ms
        update = engine.apply(state, event, watermark, partition_ms=part_ms if partition_of else None,
                              partition=partition)
        for other in states.values():
            if other is not state:
                other_ms = clocks.get(other.partition) if partition_of else None
                update.extend(engine.advance(other, watermark, partition_ms=other_ms))
        for snap in update.snapshots:
            latest[(snap["dyad"], to_ms(snap["as_of"]))] = snap
    snapshots = [
        snap for _, snap in sorted(latest.items(), key=lambda item: (item[0][0], item[0][1]))
    ]
    previous: dict[str, str] = {}
    for snap in snapshots:
        before = previous.get(snap["dyad"], "CALM")
        if snap["level"] != before:
            alerts.append(engine.alert_for(snap, before))
        previous[snap["dyad"]] = snap["level"]
    return snapshots, alerts, rejected
