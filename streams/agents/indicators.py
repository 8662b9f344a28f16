"""Indicator agent: tension.events → tension.indicators and tension.alerts (key = dyad).

State lives in a RocksDB-backed faust table, restored from its changelog after a crash: one
entry per dyad for its head (clocks, emitted revisions, levels, alert steps) under the key
``DYAD``, and one per event-time bucket of merged events under ``DYAD|<bucket start ms>``.
An event rewrites the head and the one or two buckets it changed, so the cost of persisting
does not grow with history. All keys of a dyad are written while processing that dyad's
events, which all arrive on one partition (tension.events is keyed by dyad), so they share
its changelog partition. A decoded copy is cached in memory and dropped on every rebalance.

Event time is a watermark (:mod:`streams.indicators.clock`): every input partition has its
own clock, against which its events' lateness is judged; steps close at the lowest clock
over the partitions that still have records waiting, so a partition that runs ahead (after
an outage, a rebalance, on a backfill) never pushes another one's events beyond the
horizon. A timer moves time on when a waiting partition has been idle for
``app.partition_idle_s``. Events are taken in batches (``app.batch_max`` within
``app.batch_window_s``): the engine defers emission while a batch is applied and emits
every changed snapshot once at its end, with the same final values as one event at a time.
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any

from faust.streams import _current_event

from streams.agents.deadletter import dead_letter
from streams.app import Pipeline
from streams.indicators import IndicatorEngine, Update
from streams.indicators.state import DyadState
from streams.indicators.stream import IndicatorStream

log = logging.getLogger("geotension.indicators")


class DyadCache:
    """Decoded dyad states of the partitions this worker owns, and their event clock."""

    def __init__(self, table: Any, stream: IndicatorStream) -> None:
        self.table = table
        self.stream = stream
        self.loaded = False
        #: Offset of the last record delivered, per input partition.
        self.delivered: dict[int, int] = {}

    def reset(self) -> None:
        self.stream.reset()
        self.delivered.clear()
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
        self.stream.load(DyadState.from_parts(head, buckets.get(dyad, [])) for dyad, head in heads.items())
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


def register(pipeline: Pipeline) -> Any:
    app, settings = pipeline.app, pipeline.settings
    engine = IndicatorEngine(settings.indicators)
    table = app.Table(
        "dyad-state",
        partitions=settings.topic_spec("events").partitions,
        help="Indicator state per dyad (JSON), restored from its changelog after a restart.",
    )
    cache = DyadCache(table, IndicatorStream(engine, settings.app.partition_idle_s))
    source = pipeline.topics["events"]
    topic_name = settings.topic("events")
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
            if alert.get("status") != "RAISED":
                counters.records_out["alerts:corrections"] += 1

    def assigned() -> list[int]:
        """The tension.events partitions this worker reads now."""
        try:
            return sorted(tp.partition for tp in app.consumer.assignment() if tp.topic == topic_name)
        except Exception:  # noqa: BLE001 - no consumer yet (starting, tests)
            return sorted(cache.delivered)

    def note_waiting(partitions: list[int], now: float) -> None:
        """Tell the clock which partitions have records on the broker beyond those delivered."""
        for partition in partitions:
            try:
                tp = next(t for t in app.consumer.assignment() if t.topic == topic_name and t.partition == partition)
                highwater = app.consumer.highwater(tp)
                # Nothing delivered yet: the next record read is at the committed offset.
                committed = app.consumer._committed_offset.get(tp)  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - not fetched yet: unknown, so not known to wait
                highwater, committed = None, None
            delivered = cache.delivered.get(partition)
            next_offset = delivered + 1 if delivered is not None else (committed or 0)
            waiting = highwater is not None and next_offset < highwater
            cache.stream.clock.set_waiting(partition, waiting, now)

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

    @app.timer(max(min(settings.app.partition_idle_s / 3, 5.0), 0.5))
    async def move_time_on() -> None:
        """Advance every dyad once a waiting partition has gone idle (no batch arrives to do it)."""
        if not cache.loaded:
            return
        partitions = assigned()
        now = time.monotonic()
        note_waiting(partitions, now)
        update = cache.stream.advance(now, partitions)
        if update.snapshots or update.alerts:
            await publish(update)

    def process_batch(batch: list[Any]) -> tuple[Update, list[tuple[Any, Exception]]]:
        """Apply every event of ``batch``, then emit and persist each changed dyad once."""
        failed: list[tuple[Any, Exception]] = []
        items: list[tuple[int, dict[str, Any]]] = []
        sources: list[Any] = []
        for event in batch:
            counters.records_in["indicators"] += 1
            try:
                _, record = pipeline.registry.decode(event.value or b"", expect="TaggedEvent")
                partition = int(event.message.partition)
                offset = int(event.message.offset)
                cache.delivered[partition] = max(cache.delivered.get(partition, offset), offset)
                if not record.get("dyad"):
                    counters.skipped["indicators:not-watched-pair"] += 1
                    continue
                items.append((partition, record))
                sources.append(event)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                failed.append((event, exc))
        if not items:
            return Update(), failed
        try:
            cache.load()
        except Exception as exc:  # noqa: BLE001 - unreadable state: these events go to dead letters
            return Update(), failed + [(event, exc) for event in sources]
        partitions = assigned()
        now = time.monotonic()
        note_waiting(partitions, now)
        result = cache.stream.apply_batch(items, now, partitions or None)
        failed.extend((sources[position], exc) for position, exc in result.failed)
        refused = {position for position, _ in result.failed}
        last_event: dict[str, Any] = {}
        for (_, record), event in zip(items, sources, strict=True):
            last_event[str(record["dyad"])] = event
        for dyad in sorted(result.changed):
            state = cache.stream.states[dyad]
            # faust writes a table key to the changelog partition of the current event; a
            # dyad's events all come from one partition (keyed by dyad).
            token = _current_event.set(weakref.ref(last_event[dyad]))
            try:
                cache.persist(state)
            except Exception as exc:  # noqa: BLE001 - the events that changed this dyad go to dead letters
                failed.extend((event, exc) for position, ((_, record), event) in enumerate(zip(items, sources, strict=True))
                              if record["dyad"] == dyad and position not in refused)
            finally:
                _current_event.reset(token)
        return result.update, failed

    return indicators
