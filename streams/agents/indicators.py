"""Indicator agent: tension.events → tension.indicators and tension.alerts (key = dyad).

State lives in a RocksDB-backed faust table, restored from its changelog after a crash: one
entry per dyad for its head (watermark, emitted revisions, levels) under the key ``DYAD``,
and one per event-time bucket of merged events under ``DYAD|<bucket start ms>``. An event
rewrites the head and the one or two buckets it changed, so the cost of persisting does not
grow with history. All keys of a dyad are written while processing that dyad's events,
which all arrive on one partition (tension.events is keyed by dyad), so they share its
changelog partition. A decoded copy is cached in memory and dropped on every rebalance.
Event time is the worker's own clock: the newest event time it has seen, so quiet dyads
move on too. Events are taken in batches (``app.batch_max`` within ``app.batch_window_s``):
the engine defers emission while a batch is applied and emits every changed snapshot once at
its end, with the same final values as one event at a time.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from faust.streams import _current_event

from streams.agents.deadletter import dead_letter
from streams.app import Pipeline
from streams.indicators import IndicatorEngine, Update
from streams.indicators.engine import to_ms
from streams.indicators.state import DyadState

log = logging.getLogger("geotension.indicators")


class DyadCache:
    """Decoded dyad states of the partitions this worker owns."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.states: dict[str, DyadState] = {}
        self.loaded = False
        self.watermark_ms: int | None = None

    def reset(self) -> None:
        self.states.clear()
        self.loaded = False

    def load(self) -> None:
        """Read every state of our partitions once after (re)assignment."""
        if self.loaded:
            return
        heads: dict[str, dict[str, Any]] = {}
        buckets: dict[str, list[list[dict[str, Any]]]] = {}
        for key, value in self.table.items():
            if not value:
                continue
            dyad, _, bucket = str(key).partition("|")
            if bucket:
                buckets.setdefault(dyad, []).append(value)
            else:
                heads[dyad] = value
        for dyad, head in heads.items():
            state = DyadState.from_parts(head, buckets.get(dyad, []))
            self.states[dyad] = state
            if state.watermark_ms is not None:
                self.watermark_ms = max(self.watermark_ms or state.watermark_ms, state.watermark_ms)
        self.loaded = True

    def persist(self, state: DyadState) -> None:
        """Write the head and the buckets the last event changed (emptied ones are deleted)."""
        for start in sorted(state.dirty):
            key = f"{state.dyad}|{start}"
            records = state.bucket_records(start, (state.bucket_keys or {}).get(start))
            if records:
                self.table[key] = records
            elif key in self.table:
                del self.table[key]
        state.dirty.clear()
        self.table[state.dyad] = state.head()

    def get(self, dyad: str, engine: IndicatorEngine) -> DyadState:
        state = self.states.get(dyad)
        if state is None:
            state = self.states[dyad] = engine.new_state(dyad)
        return state


def register(pipeline: Pipeline) -> Any:
    app, settings = pipeline.app, pipeline.settings
    engine = IndicatorEngine(settings.indicators)
    table = app.Table(
        "dyad-state",
        partitions=settings.topic_spec("events").partitions,
        help="Indicator state per dyad (JSON), restored from its changelog after a restart.",
    )
    cache = DyadCache(table)
    source = pipeline.topics["events"]
    counters = pipeline.counters

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def _forget(sender: Any, revoked: Any, **kwargs: Any) -> None:
        # Another worker may own these dyads now; re-read the table after the rebalance.
        cache.reset()

    async def publish(update: Update) -> None:
        registry = pipeline.registry
        for snap in update.snapshots:
            await pipeline.topics["indicators"].send(key=snap["dyad"].encode(), value=registry.encode("EscalationIndicator", snap))
            counters.records_out["indicators"] += 1
        for alert in update.alerts:
            await pipeline.topics["alerts"].send(key=alert["dyad"].encode(), value=registry.encode("EscalationAlert", alert))
            counters.records_out["alerts"] += 1

    batch_max, batch_window_s = settings.app.batch_max, settings.app.batch_window_s

    @app.agent(source, name="indicators")
    async def indicators(stream: Any) -> None:
        # Events are acked only once their batch is done, so a crash re-delivers the whole
        # batch; nothing awaits between the first apply and the last persist, so a rebalance
        # cannot reset the cache mid-batch.
        async for batch in stream.take_events(batch_max, within=batch_window_s):
            update, failed = process_batch(batch)
            for event, exc in failed:
                await dead_letter(pipeline, "indicators", event, exc)
            await publish(update)

    def process_batch(batch: list[Any]) -> tuple[Update, list[tuple[Any, Exception]]]:
        """Apply every event of ``batch``, then emit and persist each changed dyad once."""
        failed: list[tuple[Any, Exception]] = []
        by_dyad: dict[str, list[Any]] = {}
        for event in batch:
            counters.records_in["indicators"] += 1
            try:
                _, record = pipeline.registry.decode(event.value or b"", expect="TaggedEvent")
                if not record.get("dyad"):
                    counters.skipped["indicators:not-watched-pair"] += 1
                    continue
                cache.load()
                time_ms = to_ms(record["event_time"])
                watermark = time_ms if cache.watermark_ms is None else max(cache.watermark_ms, time_ms)
                state = cache.get(record["dyad"], engine)
                engine.apply(state, record, watermark, defer=True)
                cache.watermark_ms = watermark
                for other in cache.states.values():
                    if other is not state:
                        engine.advance(other, watermark, defer=True)
                by_dyad.setdefault(state.dyad, []).append(event)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                failed.append((event, exc))
        update = Update()
        if cache.watermark_ms is None:
            return update, failed
        for state in list(cache.states.values()):
            try:
                update.extend(engine.flush(state, cache.watermark_ms))
                events = by_dyad.get(state.dyad)
                if events:
                    # faust writes a table key to the changelog partition of the current
                    # event; a dyad's events all come from one partition (keyed by dyad).
                    token = _current_event.set(weakref.ref(events[-1]))
                    try:
                        cache.persist(state)
                    finally:
                        _current_event.reset(token)
            except Exception as exc:  # noqa: BLE001 - the events that changed this dyad go to dead letters
                failed.extend((event, exc) for event in by_dyad.get(state.dyad, []))
        return update, failed

    return indicators
