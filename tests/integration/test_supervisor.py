"""``geotension worker`` on a real broker: its faust child killed with SIGKILL (as the OOM killer
does) is started again, and the run still ends with the oracle's indicators."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streams.indicators import batch_indicators
from streams.lag import wait_caught_up
from streams.settings import Settings
from tests.integration.midstream import output_records, wait_output_beyond
from tests.integration.test_indicators_stream import latest_snapshots, produce_events, random_events

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def wait_for_child(pid: int, not_this: int | None = None, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in children(pid) if c != not_this]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no worker child of {pid} within {timeout_s:.0f}s")


def test_a_sigkilled_worker_child_is_restarted_and_the_results_stay_exact(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any], tmp_path: Path,
) -> None:
    settings = make_settings()
    events = sorted(random_events(seed=71, count=1200, span_hours=24 * 40), key=lambda e: e["event_time"])
    produce_events(settings, events[:600])
    supervisor = worker_factory(settings)
    child = wait_for_child(supervisor.pid)
    wait_output_beyond(settings, 0, [supervisor])
    mark = output_records(settings)
    os.kill(child, signal.SIGKILL)
    fresh = wait_for_child(supervisor.pid, not_this=child)
    assert fresh != child and supervisor.poll() is None
    produce_events(settings, events[600:])
    alive = lambda lag: supervisor.poll() is None or pytest.fail(f"the supervisor exited {supervisor.returncode}")  # noqa: E731
    assert wait_caught_up(settings, settings.app.id, [settings.topic("events")], 240, on_poll=alive)
    assert output_records(settings) > mark
    expected, _, rejected = batch_indicators(events, settings.indicators)
    assert rejected == []
    assert latest_snapshots(settings) == expected
    log = (tmp_path / "worker-0.log").read_text(encoding="utf-8", errors="replace")
    assert ("geotension worker: the worker was killed by SIGKILL; starting a fresh one in 1 s "
            "(restart 1 of at most 5 within 600 s)") in log.splitlines()
