"""Tag agent: news.raw → tension.events (key = dyad), one TaggedEvent per coded act."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streams.agents.deadletter import dead_letter
from streams.app import Pipeline
from streams.records import decode_article, parse_time
from streams.tagging import Tagger
from streams.timecheck import check_article_times


def register(pipeline: Pipeline) -> Any:
    tagger = Tagger.from_settings(pipeline.settings)
    source, sink = pipeline.topics["news_raw"], pipeline.topics["events"]
    counters = pipeline.counters
    limits = pipeline.settings.tagging

    @pipeline.app.agent(source, name="tag")
    async def tag(stream: Any) -> None:
        async for event in stream.events():
            counters.records_in["tag"] += 1
            try:
                article = decode_article(event.value, pipeline.registry)
                stamped = article["published_at"] is None and article["ingested_at"] is None
                if article["ingested_at"] is None:
                    # The record timestamp is when the article entered the pipeline: an undated
                    # article is coded at that time, never dropped.
                    article["ingested_at"] = parse_time(int(event.message.timestamp * 1000), "timestamp")
                check_article_times(article, datetime.now(tz=UTC), limits.earliest_year, limits.max_future_s)
                tagged = counters.timed("tag", tagger.tag_article, article)
                encoded = [(ev, pipeline.registry.encode("TaggedEvent", ev)) for ev in tagged.events]
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                await dead_letter(pipeline, "tag", event, exc)
                continue
            if stamped:
                counters.notes["tag:record_timestamp"] += 1
            elif tagged.time_basis == "ingested_at":
                counters.notes["tag:ingested_at"] += 1
            if not tagged.supported:
                counters.notes[f"tag:language:{tagged.language}"] += 1
            if not encoded:
                counters.skipped["tag:no-event"] += 1
            for ev, value in encoded:
                key = (ev["dyad"] or ev["article_id"]).encode()
                await sink.send(key=key, value=value)
                counters.records_out["tag"] += 1

    return tag
