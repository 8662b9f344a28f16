"""Indicator agent: tension.events → tension.indicators and tension.alerts (key = dyad).

State lives in a RocksDB-backed faust table, restored from its changelog after a crash: one
entry per dyad for its head (watermark, emitted revisions, levels) under the key ``DYAD``,
and one per event-time bucket of merged events under ``DYAD|<bucket start ms>``. An event
rewrites the head and the one or two buckets it changed, so the cost of persisting does not
grow with history. All keys of a dyad are written while processing that dyad's events,
which all arrive on one partition (tension.events is keyed by dyad), so they share its
changelog partition. A decoded copy is cached in memory and dropped on every rebalance.
Event time is the worker's own clock: the newest event time it has seen, so quiet dyads
move on too.
"""

from __future__ import annotations

import logging
from typing import Any

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

    @app.agent(source, name="indicators")
    async def indicators(stream: Any) -> None:
        async for event in stream.events():
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
                update = engine.apply(state, record, watermark)
                cache.watermark_ms = watermark
                for other in cache.states.values():
                    if other is not state:
                        update.extend(engine.advance(other, watermark))
                cache.persist(state)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                await dead_letter(pipeline, "indicators", event, exc)
                continue
            await publish(update)

    return indicators
