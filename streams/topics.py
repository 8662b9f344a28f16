"""Topic names in one place, and their creation on the broker (kafka-python admin).

Values on every topic are bytes (Avro single-object encoding, or JSON on news.raw), so faust
topics use the ``raw`` serializer and agents decode themselves: a record that cannot be
decoded then reaches the dead-letter topic instead of failing inside the framework.
"""

from __future__ import annotations

from streams.errors import BrokerError
from streams.kafka_clients import admin_client
from streams.settings import TOPIC_KEYS, Settings


def topic_specs(settings: Settings) -> dict[str, tuple[str, int]]:
    """Settings key → (full topic name, partitions)."""
    return {key: (settings.topic(key), settings.topic_spec(key).partitions) for key in TOPIC_KEYS}


def ensure_topics(settings: Settings) -> list[str]:
    """Create the pipeline's topics that do not exist yet; returns the names created."""
    from kafka.admin import NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(name=name, num_partitions=partitions, replication_factor=1)
            for name, partitions in topic_specs(settings).values()
            if name not in existing
        ]
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
