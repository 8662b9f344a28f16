"""Tag agent: news.raw → tension.events (key = dyad), one TaggedEvent per coded act."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streams.agents.deadletter import dead_letter
from streams.agents.ledger import Ledger
from streams.app import Pipeline
from streams.ledger import DEAD_LETTERS, WITH_EVENTS, WITHOUT_EVENTS
from streams.records import decode_article, parse_time
from streams.tagging import Tagger
from streams.timecheck import check_article_times


def register(pipeline: Pipeline) -> Any:
    tagger = Tagger.from_settings(pipeline.settings)
    source, sink = pipeline.topics["news_raw"], pipeline.topics["events"]
    counters = pipeline.counters
    limits = pipeline.settings.tagging
    ledger = pipeline.ledger = Ledger(pipeline.app, pipeline.settings)

    @pipeline.app.agent(source, name="tag")
    async def tag(stream: Any) -> None:
        async for event in stream.events():
            counters.records_in["tag"] += 1
            try:
                article = decode_article(event.value, pipeline.registry)
                if article["ingested_at"] is None:
                    # The record timestamp is when the article entered the pipeline.
                    article["ingested_at"] = parse_time(int(event.message.timestamp * 1000), "timestamp")
                check_article_times(article, datetime.now(tz=UTC), limits.earliest_year, limits.max_future_s)
                tagged = counters.timed("tag", tagger.tag, article)
                encoded = [(ev, pipeline.registry.encode("TaggedEvent", ev)) for ev in tagged]
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                await dead_letter(pipeline, "tag", event, exc)
                ledger.count(event, DEAD_LETTERS)
                continue
            if not encoded:
                counters.skipped["tag:no-event"] += 1
                ledger.count(event, WITHOUT_EVENTS)
            for ev, value in encoded:
                key = (ev["dyad"] or ev["article_id"]).encode()
                await sink.send(key=key, value=value)
                counters.records_out["tag"] += 1
            if encoded:
                ledger.count(event, WITH_EVENTS)

    return tag
