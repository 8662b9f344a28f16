"""``geotension tail`` on the real broker: prefixed names either way, and no topic ever created."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from kafka import KafkaProducer

from streams.demo import worker_env
from streams.kafka_clients import admin_client
from streams.settings import Settings
from tests.integration.independent import encode

pytestmark = pytest.mark.broker


def tail(settings: Settings, *args: str, timeout_s: float = 5.0) -> subprocess.CompletedProcess[str]:
    # --timeout also bounds how long tail waits for the broker to answer: not too short on a
    # loaded machine.
    return subprocess.run([sys.executable, "-m", "streams", "tail", *args, "--timeout", str(timeout_s)],
                          env=worker_env(settings), capture_output=True, text=True, timeout=120, check=False)


def topics(settings: Settings) -> set[str]:
    """This test's topics (others share the broker): those with its prefix."""
    admin = admin_client(settings)
    try:
        return {t for t in admin.list_topics() if t.startswith(settings.topics.prefix)}
    finally:
        admin.close()


def test_full_and_short_names_get_the_prefix(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    dead = settings.topic("deadletter")
    assert dead == f"{settings.topics.prefix}tension.deadletter"
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    record = {"topic": "news.raw", "partition": 0, "offset": 7, "key": None, "value": b"{", "agent": "tag",
              "reason": "not JSON", "error_type": "SchemaError", "failed_at": datetime(2026, 1, 2, tzinfo=UTC)}
    producer.send(dead, value=encode("DeadLetter", record))
    producer.flush()
    producer.close()
    before = topics(settings)
    for name in ("tension.deadletter", "deadletter", dead):
        done = tail(settings, name)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["0@0 DEAD news.raw[0]@7 not JSON"]
    assert topics(settings) == before


def test_an_unknown_topic_is_one_line_and_is_not_created(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    before = topics(settings)
    missing = f"{settings.topics.prefix}no.such.topic"
    done = tail(settings, missing, timeout_s=20.0)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"Error: no such topic: {missing} "
                                                f"(topic prefix {settings.topics.prefix!r})"]
    assert done.stdout == ""
    assert topics(settings) == before
    assert missing not in topics(settings)
