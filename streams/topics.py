"""Topic names in one place, and their creation on the broker (kafka-python admin).

Values on every topic are bytes (Avro single-object encoding, or JSON on news.raw), so faust
topics use the ``raw`` serializer and agents decode themselves: a record that cannot be
decoded then reaches the dead-letter topic instead of failing inside the framework.
"""

from __future__ import annotations

import logging
from typing import Any

from streams.errors import BrokerError
from streams.kafka_clients import admin_client
from streams.settings import TOPIC_KEYS, Settings, TopicSettings

log = logging.getLogger("geotension.topics")


def topic_specs(settings: Settings) -> dict[str, TopicSettings]:
    """Full topic name → its settings (partitions, retention)."""
    return {settings.topic(key): settings.topic_spec(key) for key in TOPIC_KEYS}


def ensure_topics(settings: Settings) -> list[str]:
    """Create the pipeline's topics that do not exist yet; returns the names created.

    Topics that already exist are left as they are, but a ``retention.ms`` other than the
    configured one is logged as a warning: Kafka ages records by their timestamps, which are
    event times here, so a topic made with the broker's usual 7-day retention deletes replayed
    history within minutes.
    """
    from kafka.admin import NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    admin = admin_client(settings)
    specs = topic_specs(settings)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(name=name, num_partitions=spec.partitions, replication_factor=1,
                     topic_configs={"retention.ms": str(spec.retention_ms)})
            for name, spec in specs.items()
            if name not in existing
        ]
        _warn_on_retention(admin, {name: str(spec.retention_ms) for name, spec in specs.items() if name in existing})
        if not wanted:
            return []
        try:
            admin.create_topics(wanted, timeout_ms=int(settings.kafka.request_timeout_s * 1000))
        except TopicAlreadyExistsError:
            pass
        except KafkaError as exc:
            raise BrokerError(f"cannot create topics on {settings.kafka.bootstrap}: {exc}") from exc
        return [t.name for t in wanted]
    finally:
        admin.close()


def _warn_on_retention(admin: Any, wanted: dict[str, str]) -> None:
    """Log each existing topic whose retention.ms differs from ``wanted`` (name → value)."""
    if not wanted:
        return
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.errors import KafkaError

    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in wanted],
                                           config_filter="all")
    except KafkaError as exc:  # only a diagnostic: the topics exist and work
        log.debug("cannot read topic configs: %s", exc)
        return
    for name, retention in sorted(wanted.items()):
        actual = described.get("topic", {}).get(name, {}).get("retention.ms", {}).get("value")
        if actual is not None and actual != retention:
            log.warning("topic %s has retention.ms=%s, not %s as configured (Kafka ages records by their "
                        "timestamp, the event time here, so replayed history can be deleted within minutes); "
                        "change it with kafka-configs.sh --alter --entity-type topics --entity-name %s "
                        "--add-config retention.ms=%s", name, actual, retention, name, retention)


def delete_topics(settings: Settings, names: list[str]) -> None:
    """Delete topics (used by the demo to leave nothing behind)."""
    from kafka.errors import KafkaError

    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            try:
                admin.delete_topics(doomed, timeout_ms=int(settings.kafka.request_timeout_s * 1000))
            except KafkaError as exc:
                raise BrokerError(f"cannot delete topics on {settings.kafka.bootstrap}: {exc}") from exc
    finally:
        admin.close()
