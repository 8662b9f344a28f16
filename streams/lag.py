"""How far a consumer group is behind: used to know when a worker has caught up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from streams.kafka_clients import admin_client, consumer
from streams.settings import Settings


def group_lag(settings: Settings, group: str, topics: Iterable[str]) -> int:
    """Records on ``topics`` not yet committed by ``group``.

    A partition the group never committed counts from its first offset still on the broker:
    records that retention or a deletion removed cannot be waited for.
    """
    from kafka import TopicPartition

    admin = admin_client(settings)
    reader = consumer(settings, enable_auto_commit=False)
    try:
        committed = admin.list_group_offsets({group: None}).get(group, {})
        partitions = [TopicPartition(t, p) for t in topics for p in (reader.partitions_for_topic(t) or ())]
        ends = reader.end_offsets(partitions)
        starts = reader.beginning_offsets(partitions)
        lag = 0
        for tp in partitions:
            meta = committed.get(tp)
            done = max(meta.offset if meta is not None and meta.offset >= 0 else 0, starts[tp])
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


def read_all(settings: Settings, topic: str, timeout_s: float = 60.0) -> list[Any]:
    """Every record of ``topic`` up to its end offsets at call time, in partition order.

    Reads until each partition's position reaches the end offset seen when it started, so a
    slow broker or a loaded machine cannot make it stop early.
    """
    from kafka import TopicPartition

    reader = consumer(settings, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        ends = reader.end_offsets(partitions)
        records: dict[int, list[Any]] = {tp.partition: [] for tp in partitions}
        deadline = time.monotonic() + timeout_s
        pending = {tp for tp in partitions if ends[tp] > 0}
        while pending and time.monotonic() < deadline:
            for tp, batch in reader.poll(timeout_ms=500).items():
                records[tp.partition].extend(m for m in batch if m.offset < ends[tp])
            pending = {tp for tp in pending if reader.position(tp) < ends[tp]}
        if pending:
            raise TimeoutError(f"{topic}: could not read to the end within {timeout_s:.0f}s")
        return [m for p in sorted(records) for m in records[p]]
    finally:
        reader.close()
