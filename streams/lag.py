"""How far a consumer group is behind: used to know when a worker has caught up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from streams.kafka_clients import admin_client, consumer
from streams.settings import Settings


def group_lag(settings: Settings, group: str, topics: Iterable[str]) -> int:
    """Records on ``topics`` not yet committed by ``group`` (uncommitted partitions count fully)."""
    from kafka import TopicPartition

    admin = admin_client(settings)
    reader = consumer(settings, enable_auto_commit=False)
    try:
        committed = admin.list_group_offsets({group: None}).get(group, {})
        partitions = [TopicPartition(t, p) for t in topics for p in (reader.partitions_for_topic(t) or ())]
        ends = reader.end_offsets(partitions)
        lag = 0
        for tp in partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag += max(ends[tp] - done, 0)
        return lag
    finally:
        reader.close()
        admin.close()


def wait_caught_up(
    settings: Settings, group: str, topics: list[str], timeout_s: float,
    on_poll: Callable[[int], None] | None = None, settle_s: float = 1.5,
) -> bool:
    """Wait until ``group`` has no lag on ``topics`` for ``settle_s`` seconds in a row."""
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    from kafka.errors import KafkaError

    while time.monotonic() < deadline:
        try:
            lag = group_lag(settings, group, topics)
        except KafkaError:
            # The group coordinator is still being elected (a new broker or group): not yet.
            lag = -1
        if on_poll:
            on_poll(lag)
        if lag == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= settle_s:
                return True
        else:
            quiet_since = None
        time.sleep(0.5)
    return False


def read_all(settings: Settings, topic: str, idle_ms: int = 2000) -> list[Any]:
    """Every record of ``topic`` from the beginning (until ``idle_ms`` without news)."""
    reader = consumer(settings, topic, auto_offset_reset="earliest", enable_auto_commit=False,
                      consumer_timeout_ms=idle_ms)
    try:
        return list(reader)
    finally:
        reader.close()
