"""Tag agent: news.raw → tension.events (key = dyad), one TaggedEvent per coded act.

Articles are taken in batches (``app.batch_max`` within ``app.batch_window_s``) and acked
only once their whole batch is coded and handed to the producer. The TaggedEvents go
straight to the app's producer, the one faust flushes before it commits any offset, rather
than one by one through ``Topic.send`` (a FutureMessage and faust's callbacks per record; with
the aiokafka send under it 18 % of the worker's busy samples on a relevant stream): a committed article therefore
always has its events written, as before, and a crash re-delivers at most the batches not
yet committed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from streams.agents.deadletter import dead_letter
from streams.agents.ledger import Ledger
from streams.app import Pipeline
from streams.ledger import DEAD_LETTERS, WITH_EVENTS, WITHOUT_EVENTS
from streams.records import decode_article, parse_time
from streams.tagging import Tagger
from streams.timecheck import check_article_times

log = logging.getLogger("geotension.tag")


def register(pipeline: Pipeline) -> Any:
    tagger = Tagger.from_settings(pipeline.settings)
    source, sink = pipeline.topics["news_raw"], pipeline.topics["events"]
    sink_name = pipeline.settings.topic("events")
    # Under exactly_once faust produces through one transaction per source partition, which
    # only Topic.send chooses.
    transactional = pipeline.settings.app.processing_guarantee == "exactly_once"
    counters = pipeline.counters
    limits = pipeline.settings.tagging
    ledger = pipeline.ledger = Ledger(pipeline.app, pipeline.settings)
    registry = pipeline.registry
    batch_max, batch_window_s = pipeline.settings.app.batch_max, pipeline.settings.app.batch_window_s

    def code(event: Any, now: datetime) -> list[tuple[bytes, bytes]]:
        """(key, TaggedEvent bytes) for every act the article codes; raises on a bad record."""
        article = decode_article(event.value, registry)
        stamped = article["published_at"] is None and article["ingested_at"] is None
        if article["ingested_at"] is None:
            # The record timestamp is when the article entered the pipeline: an undated article
            # is coded at that time, never dropped.
            article["ingested_at"] = parse_time(int(event.message.timestamp * 1000), "timestamp")
        check_article_times(article, now, limits.earliest_year, limits.max_future_s)
        tagged = counters.timed("tag", tagger.tag_article, article)
        encoded = [((ev["dyad"] or ev["article_id"]).encode(), registry.encode("TaggedEvent", ev)) for ev in tagged.events]
        if stamped:
            counters.notes["tag:record_timestamp"] += 1
        elif tagged.time_basis == "ingested_at":
            counters.notes["tag:ingested_at"] += 1
        if not tagged.supported:
            counters.notes[f"tag:language:{tagged.language}"] += 1
        return encoded

    def delivered(future: Any) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.error("tag: a TaggedEvent could not be written to %s: %s", sink_name, future.exception())

    @pipeline.app.agent(source, name="tag")
    async def tag(stream: Any) -> None:
        async for batch in stream.take_events(batch_max, within=batch_window_s):
            producer = pipeline.app.producer
            now = datetime.now(tz=UTC)  # the batch spans at most batch_window_s
            for event in batch:
                counters.records_in["tag"] += 1
                try:
                    encoded = code(event, now)
                except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                    await dead_letter(pipeline, "tag", event, exc)
                    ledger.count(event, DEAD_LETTERS)
                    continue
                if not encoded:
                    counters.skipped["tag:no-event"] += 1
                    ledger.count(event, WITHOUT_EVENTS)
                    continue
                for key, value in encoded:
                    if transactional:
                        await sink.send(key=key, value=value)  # faust picks the partition's transaction
                    else:
                        sent: Any = await producer.send(sink_name, key, value, None, None, None)
                        sent.add_done_callback(delivered)  # an asyncio future of the record's metadata
                counters.records_out["tag"] += len(encoded)
                ledger.count(event, WITH_EVENTS)
            ledger.flush()

    return tag
