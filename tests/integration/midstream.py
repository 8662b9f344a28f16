"""Catching a worker in the middle of its work, for the crash and outage tests.

A batching worker can take in a few thousand events within one commit interval, so waiting
for a committed offset strictly between the first and the last misses the moment on a fast
machine. What these helpers watch instead is the worker's output: once the indicators topic
has grown past a mark, the worker is turning the new input into snapshots.
"""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from streams.settings import Settings


def output_records(settings: Settings) -> int:
    """Records on the indicators topic so far (the sum of its end offsets)."""
    reader = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap)
    try:
        topic = settings.topic("indicators")
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        return sum(reader.end_offsets(partitions).values())
    finally:
        reader.close()


def wait_output_beyond(settings: Settings, mark: int, workers: list[Any], timeout_s: float = 300) -> None:
    """Wait until the indicators topic holds more than ``mark`` records; fail if a worker exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.poll() is None, f"a worker exited with {worker.returncode}"
        if output_records(settings) > mark:
            return
        time.sleep(0.05)
    raise AssertionError(f"no worker output beyond {mark} records within {timeout_s:.0f}s")
