"""Topic creation on the session broker: partitions and the retention that keeps replayed history."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

from streams.settings import TOPIC_KEYS, Settings
from streams.topics import ensure_topics

pytestmark = pytest.mark.broker


def _described(settings: Settings, names: list[str]) -> dict[str, dict[str, str]]:
    """Topic → {"partitions", "retention.ms", "source"} as the broker reports them."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names],
                                         config_filter="all")["topic"]
        partitions = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}
    finally:
        admin.close()
    return {n: {"partitions": str(partitions[n]), "retention.ms": configs[n]["retention.ms"]["value"],
                "source": configs[n]["retention.ms"]["config_source"]} for n in names}


def test_pipeline_topics_are_created_to_keep_their_records(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()  # runs ensure_topics
    names = [settings.topic(key) for key in TOPIC_KEYS]
    assert _described(settings, names) == {
        settings.topic(key): {"partitions": str(settings.topic_spec(key).partitions), "retention.ms": "-1",
                              "source": "DYNAMIC_TOPIC_CONFIG"}
        for key in TOPIC_KEYS
    }


def test_configured_retention_is_applied_and_an_existing_topic_that_differs_is_named(
    make_settings: Callable[..., Settings], unique_name: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    base = make_settings()
    prefix = unique_name("r") + "."
    topics = dataclasses.replace(base.topics, prefix=prefix,
                                 news_raw=dataclasses.replace(base.topics.news_raw, retention_ms=86_400_000))
    settings = dataclasses.replace(base, topics=topics)
    news = settings.topic("news_raw")
    # The events topic exists already, made elsewhere with a week's retention.
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.create_topics([NewTopic(settings.topic("events"), 3, 1, topic_configs={"retention.ms": "604800000"})])
        deadline = time.monotonic() + 30  # until the broker's metadata lists it
        while settings.topic("events") not in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        admin.close()

    with caplog.at_level(logging.WARNING, logger="geotension.topics"):
        created = ensure_topics(settings)

    assert sorted(created) == sorted(settings.topic(k) for k in TOPIC_KEYS if k != "events")
    described = _described(settings, [news, settings.topic("events")])
    assert described[news]["retention.ms"] == "86400000"
    assert described[settings.topic("events")]["retention.ms"] == "604800000"
    assert [r.getMessage() for r in caplog.records if r.name == "geotension.topics"] == [
        f"topic {settings.topic('events')} has retention.ms=604800000, not -1 as configured (Kafka ages records "
        "by their timestamp, the event time here, so replayed history can be deleted within minutes); change it "
        f"with kafka-configs.sh --alter --entity-type topics --entity-name {settings.topic('events')} "
        "--add-config retention.ms=-1"
    ]

