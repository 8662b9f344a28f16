"""The stall detector's clock and the supervisor that restarts a stalled or dead worker process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from streams.commands.worker import RestartPolicy, exit_reason, supervise
from streams.watchdog import EXIT_CONFIG, EXIT_STALLED, ConsumerView, PartitionView, StallDetector


def view(processed: int, *parts: PartitionView, busy: bool = False) -> ConsumerView:
    return ConsumerView(processed=processed, busy=busy, partitions=parts)


WAITING = PartitionView("news.raw", 0, highwater=10, committed=4, active=False)
DONE = PartitionView("news.raw", 1, highwater=7, committed=7, active=True)


def test_partition_backlog_and_description() -> None:
    assert (WAITING.backlog, DONE.backlog) == (6, 0)
    assert PartitionView("t", 0, highwater=None, committed=None, active=True).backlog == 0
    assert PartitionView("t", 0, highwater=3, committed=None, active=True).backlog == 3
    both = view(0, WAITING, DONE)
    assert both.backlog == 6
    assert both.idle_partitions() == [WAITING]
    assert both.describe() == "news.raw[0] highwater=10 committed=4 read=None earliest=None active=False"
    assert view(0, DONE).describe() == "no backlog"


def test_records_deleted_by_retention_are_no_backlog() -> None:
    # Never committed, and the broker has dropped everything below offset 8 (retention).
    expired = PartitionView("t", 0, highwater=10, committed=None, active=True, earliest=8)
    assert expired.backlog == 2
    assert PartitionView("t", 0, highwater=10, committed=None, active=True, earliest=10).backlog == 0
    # A committed offset above the earliest one still counts from the commit.
    assert PartitionView("t", 0, highwater=10, committed=9, active=True, earliest=3).backlog == 1
    detector = StallDetector(timeout_s=10.0)
    gone = PartitionView("t", 0, highwater=10, committed=None, active=True, earliest=10)
    assert [detector.observe(t, view(0, gone)) for t in (0.0, 5.0, 60.0)] == [False, False, False]


def test_stall_needs_the_whole_timeout_without_progress() -> None:
    detector = StallDetector(timeout_s=30.0)
    assert [detector.observe(t, view(5, WAITING)) for t in (0.0, 10.0, 29.0)] == [False, False, False]
    assert detector.waiting
    assert detector.observe(40.0, view(5, WAITING)) is True


def test_progress_backlog_gone_or_rebalance_restart_the_clock() -> None:
    detector = StallDetector(timeout_s=30.0)
    detector.observe(0.0, view(5, WAITING))
    detector.observe(1.0, view(5, WAITING))
    assert detector.observe(25.0, view(6, WAITING)) is False  # one more record: progress
    assert not detector.waiting
    detector.observe(26.0, view(6, WAITING))
    assert detector.observe(50.0, view(6, WAITING, busy=True)) is False  # recovering on purpose
    detector.observe(51.0, view(6, WAITING))
    assert detector.observe(70.0, view(6, DONE)) is False  # nothing waiting: idle, not stalled
    detector.observe(71.0, view(6, WAITING))
    assert detector.observe(100.0, view(6, WAITING)) is False
    assert detector.observe(101.0, view(6, WAITING)) is True


def test_reset_starts_a_fresh_wait_and_zero_turns_it_off() -> None:
    detector = StallDetector(timeout_s=10.0)
    detector.observe(0.0, view(1, WAITING))  # the first look only sets the baseline
    assert detector.observe(1.0, view(1, WAITING)) is False
    assert detector.observe(11.0, view(1, WAITING)) is True
    detector.reset()
    assert detector.observe(12.0, view(1, WAITING)) is False
    assert detector.observe(21.0, view(1, WAITING)) is False
    assert detector.observe(22.0, view(1, WAITING)) is True
    off = StallDetector(timeout_s=0.0)
    assert [off.observe(t, view(1, WAITING)) for t in (0.0, 1e6)] == [False, False]


def child_script(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return [sys.executable, str(script)]


def supervisor_process(child: list[str], max_restarts: int) -> subprocess.Popen[bytes]:
    """``supervise(child)`` in a process of its own, as ``geotension worker`` runs it."""
    code = f"import sys; from streams.commands.worker import supervise; sys.exit(supervise({child!r}, {max_restarts}))"
    return subprocess.Popen([sys.executable, "-c", code])


def wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists(), f"{path.name} never appeared"


def test_supervisor_restarts_a_stalled_or_failed_worker_and_stops_at_a_configuration_error(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = child_script(tmp_path, f"""
        import pathlib, sys
        runs = pathlib.Path({str(runs)!r})
        n = len(runs.read_text()) if runs.exists() else 0
        runs.write_text("x" * (n + 1))
        sys.exit([{EXIT_STALLED}, 1, {EXIT_CONFIG}][n])
    """)
    assert supervise(args, max_restarts=5, backoff_s=0.0) == EXIT_CONFIG
    assert runs.read_text() == "xxx"


def test_supervisor_returns_a_clean_stop_without_restarting(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = child_script(tmp_path, f"""
        import pathlib
        runs = pathlib.Path({str(runs)!r})
        runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
    """)
    assert supervise(args, max_restarts=5, backoff_s=0.0) == 0
    assert runs.read_text() == "x"


def test_supervisor_gives_up_after_max_restarts(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = child_script(tmp_path, f"""
        import pathlib, sys
        runs = pathlib.Path({str(runs)!r})
        runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
        sys.exit({EXIT_STALLED})
    """)
    assert supervise(args, max_restarts=2, backoff_s=0.0) == EXIT_STALLED
    assert runs.read_text() == "xxx"


def test_restart_budget_is_per_window_and_the_pause_doubles() -> None:
    policy = RestartPolicy(max_restarts=3, window_s=100.0, backoff_s=1.0)
    assert [policy.next_delay(t) for t in (0.0, 2.0, 5.0)] == [1.0, 2.0, 4.0]
    assert policy.next_delay(20.0) is None  # three restarts in the last 100 s
    # 100 s after the first restart it has left the window: one more is allowed, after a
    # pause doubled for the two still in it.
    assert policy.next_delay(101.5) == 4.0
    capped = RestartPolicy(max_restarts=20, window_s=1000.0, backoff_s=10.0)
    assert [capped.next_delay(float(t)) for t in range(4)] == [10.0, 20.0, 30.0, 30.0]


def test_exit_reasons() -> None:
    assert [exit_reason(c) for c in (0, EXIT_CONFIG, 2)] == [None, None, None]
    assert exit_reason(-signal.SIGKILL) == "the worker was killed by SIGKILL"
    assert exit_reason(EXIT_STALLED) == "the worker stopped making progress"
    assert exit_reason(1) == "the worker exited with status 1"


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")
def test_a_worker_killed_with_sigkill_is_started_again_and_sigterm_still_stops_it(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    child = child_script(tmp_path, f"""
        import os, pathlib, signal, sys, time
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with open({str(pids)!r}, "a") as f:
            f.write(f"{{os.getpid()}}\\n")
        time.sleep(120)
    """)
    code = (f"import sys; from streams.commands.worker import supervise; "
            f"sys.exit(supervise({child!r}, 3, 600.0, 0.2))")
    parent = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    try:
        wait_for_lines(pids, 1)
        first = int(pids.read_text().split()[0])
        os.kill(first, signal.SIGKILL)
        wait_for_lines(pids, 2)
        second = int(pids.read_text().split()[1])
        assert second != first
        assert parent.poll() is None
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
    assert parent.stderr is not None
    said = parent.stderr.read().decode()
    assert said.strip().splitlines() == [
        "geotension worker: the worker was killed by SIGKILL; starting a fresh one in 0.2 s "
        "(restart 1 of at most 3 within 600 s)"]
    assert len(pids.read_text().split()) == 2  # SIGTERM did not start a third


def wait_for_lines(path: Path, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path.name} never reached {count} line(s)")


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")
def test_killing_the_supervisor_kills_the_worker(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    child = child_script(tmp_path, f"""
        import os, pathlib, time
        pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))
        time.sleep(120)
    """)
    parent = supervisor_process(child, max_restarts=0)
    wait_for_file(pid_file)
    child_pid = int(pid_file.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        # A zombie is gone for our purpose: it no longer runs.
        try:
            if Path(f"/proc/{child_pid}/stat").read_text().split()[2] == "Z":
                break
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.05)
    else:
        os.kill(child_pid, signal.SIGKILL)
        pytest.fail("the worker outlived its killed supervisor")


def test_sigterm_reaches_the_worker_and_ends_the_supervisor(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = child_script(tmp_path, f"""
        import pathlib, signal, sys, time
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        pathlib.Path({str(ready)!r}).write_text("1")
        time.sleep(120)
        sys.exit(9)
    """)
    parent = supervisor_process(child, max_restarts=3)
    wait_for_file(ready)
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(30) == 0
