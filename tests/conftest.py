"""Session fixtures shared by every test that needs a real Kafka broker.

``kafka_bootstrap`` is the address of a broker that answers for the whole session:

* ``GEOTENSION_BOOTSTRAP=host:port pytest`` reuses that broker (a local one started with
  ``geotension broker start``, or the one of ``docker compose up``), which saves its start;
* otherwise a fresh single-node broker is started on 127.0.0.1:39092 (controller 39093, ports
  away from the default 9092 so a developer's own broker is left alone) with its data in
  ``.kafka/test-node`` (emptied first) and stopped when the session ends. Two pytest runs in
  one checkout share that broker: the first starts it, the last one out stops it.

Tests must not depend on each other's topics: ``unique_name("news")`` gives ``t-news-<hex>``
for topics, consumer groups and app ids.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams.broker import LocalBroker, broker_answers
from streams.errors import TensionError
from streams.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
TEST_BOOTSTRAP = "127.0.0.1:39092"
TEST_CONTROLLER_PORT = 39093
TEST_INSTANCE = REPO / ".kafka" / "test-node"
#: One file per pytest process using the test broker; the last one out stops it.
SESSIONS = REPO / ".kafka" / "test-node.sessions"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``host:port`` of a Kafka broker that answers for the whole test session."""
    external = os.environ.get("GEOTENSION_BOOTSTRAP")
    if external:
        if not broker_answers(external, timeout_s=10.0):
            pytest.fail(
                f"GEOTENSION_BOOTSTRAP={external}: no Kafka broker answers there (unset it to let the tests start one)",
                pytrace=False,
            )
        yield external
        return

    try:
        base = load_settings()
        settings = dataclasses.replace(
            base,
            kafka=dataclasses.replace(base.kafka, bootstrap=TEST_BOOTSTRAP),
            local_broker=dataclasses.replace(base.local_broker, controller_port=TEST_CONTROLLER_PORT),
        )
        broker = LocalBroker(settings, instance_dir=TEST_INSTANCE)
        with _sessions_lock():
            if not _live_sessions():
                # First session in: a broker left by a killed session is stopped before its
                # data is deleted under its feet, then a fresh one starts.
                broker.stop(timeout_s=15.0)
                shutil.rmtree(TEST_INSTANCE, ignore_errors=True)
            # Otherwise another session (a second pytest in this checkout) runs it already:
            # share it (start() only reports it) rather than wipe its data mid-run.
            broker.start()
            SESSIONS.mkdir(parents=True, exist_ok=True)
            (SESSIONS / str(os.getpid())).touch()
    except TensionError as exc:
        pytest.fail(f"could not start the test broker: {exc}", pytrace=False)
    try:
        yield TEST_BOOTSTRAP
    finally:
        with _sessions_lock():
            (SESSIONS / str(os.getpid())).unlink(missing_ok=True)
            if not _live_sessions():
                # Last session out. The folder stays until the next run so its logs can be
                # read after a failure.
                broker.stop()


def _live_sessions() -> list[int]:
    """Pids of test sessions that use the test broker now (stale entries are removed)."""
    live = []
    for entry in SESSIONS.glob("*") if SESSIONS.is_dir() else []:
        pid = int(entry.name) if entry.name.isdigit() else 0
        try:
            if pid <= 0:
                raise ProcessLookupError
            os.kill(pid, 0)
        except ProcessLookupError:
            entry.unlink(missing_ok=True)
            continue
        except PermissionError:
            pass  # alive, another user's
        live.append(pid)
    return live


@contextlib.contextmanager
def _sessions_lock() -> Iterator[None]:
    """Serialises start and stop of the shared test broker across pytest processes."""
    TEST_INSTANCE.parent.mkdir(parents=True, exist_ok=True)
    with open(TEST_INSTANCE.parent / "test-node.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """A factory of fresh names: ``unique_name("news")`` → ``t-news-1a2b3c4d``."""

    def make(prefix: str) -> str:
        return f"t-{prefix}-{uuid.uuid4().hex[:8]}"

    return make
