"""``geotension worker``: every agent plus the HTTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import click

from streams.commands.common import config_option, settings_from
from streams.settings import Settings
from streams.watchdog import EXIT_CONFIG, EXIT_STALLED

#: Set in the worker process that ``geotension worker`` supervises (the one running faust).
CHILD_ENV = "GEOTENSION_WORKER_CHILD"

@click.command()
@config_option
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Log level (default: app.log_level from pipeline.yaml).")
@click.option("--no-supervise", is_flag=True,
              help="Run faust in this process: no restart after a crash or a stall (for an external supervisor).")
def worker(config_dir: str | None, loglevel: str | None, no_supervise: bool) -> None:
    """Run the stream processor: tag news.raw, compute indicators, serve HTTP on 127.0.0.1.

    Creates missing topics first. Stop it with Ctrl-C (or SIGTERM): offsets are committed and
    table state flushed, so a restart carries on where it stopped. faust runs in a child
    process that is started again whenever it dies (killed by a signal, or any non-zero
    status but a configuration error's), after a pause that doubles from
    app.restart_backoff_s, at most app.max_restarts times within app.restart_window_s.
    Should its agents get no records for app.stall_timeout_s while records wait, a watchdog
    seeks back to the committed offsets; if that does not help the child exits with status
    75 and is restarted the same way.

    \b
    Example:
        geotension broker start
        geotension worker --loglevel info
        GEOTENSION_BOOTSTRAP=kafka.example:9092 geotension worker
    """
    settings = settings_from(config_dir)
    if no_supervise or os.environ.get(CHILD_ENV):
        run_worker(settings, loglevel)
        return
    from streams.topics import ensure_topics

    # Once here, so a missing broker or a bad config is one line from the supervisor.
    ensure_topics(settings)
    args = [sys.executable, "-m", "streams", "worker", "--no-supervise"]
    if config_dir:
        args += ["--config-dir", config_dir]
    if loglevel:
        args += ["--loglevel", loglevel]
    app = settings.app
    sys.exit(supervise(args, app.max_restarts, app.restart_window_s, app.restart_backoff_s))


def run_worker(settings: Settings, loglevel: str | None) -> None:
    """faust's worker in this process, with the watchdog; exits with EXIT_STALLED after a stall."""
    from faust.worker import Worker

    from streams.agents import watchdog
    from streams.app import build_topology, create_app
    from streams.topics import ensure_topics

    if not os.environ.get(CHILD_ENV):
        # A supervised child skips this: its supervisor did it, and a restart after a stall
        # must not fail because the broker is briefly away (faust itself retries).
        ensure_topics(settings)
    app = create_app(settings)
    pipeline = build_topology(app, settings)
    install_task_dump(app)
    install_log_throttle(app)
    runner = Worker(app, loglevel=loglevel or settings.app.log_level, quiet=True)
    # faust's start-up spinner sets the root logger to DEBUG so that it sees every record:
    # aiokafka and faust then build a debug record per message sent (about 4 % of the CPU).
    runner.spinner = None
    watchdog.install(pipeline, stop=lambda: asyncio.ensure_future(runner.stop()))
    try:
        runner.execute_from_commandline()
    except SystemExit:
        if watchdog.STALLED.is_set():
            sys.exit(EXIT_STALLED)
        raise


@dataclass
class RestartPolicy:
    """When the supervisor starts the worker again, and how long it waits first.

    At most ``max_restarts`` restarts within any ``window_s`` seconds; the pause before a
    restart is ``backoff_s`` doubled for every other restart still in the window (up to
    :data:`MAX_BACKOFF_S`), so a worker that dies at once on every start does not spin.
    """

    max_restarts: int
    window_s: float = 600.0
    backoff_s: float = 1.0
    restarts: list[float] = field(default_factory=list)

    def next_delay(self, now: float) -> float | None:
        """Seconds to wait before the next start, or None once the budget is spent."""
        self.restarts = [t for t in self.restarts if now - t < self.window_s]
        if len(self.restarts) >= self.max_restarts:
            return None
        delay = min(self.backoff_s * 2 ** len(self.restarts), MAX_BACKOFF_S) if self.backoff_s > 0 else 0.0
        self.restarts.append(now + delay)
        return delay


#: The longest pause between two starts of the worker.
MAX_BACKOFF_S = 30.0


def exit_reason(code: int) -> str | None:
    """Why a worker exit is abnormal (restart), or None when it must not be restarted.

    0 is a clean stop; EXIT_CONFIG (a configuration error) and 2 (a usage error) would fail
    the same way again. A negative status is the signal that killed the process.
    """
    if code in (0, EXIT_CONFIG, 2):
        return None
    if code == EXIT_STALLED:
        return "the worker stopped making progress"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker was killed by {name}"
    return f"the worker exited with status {code}"


def supervise(args: list[str], max_restarts: int, window_s: float = 600.0, backoff_s: float = 1.0) -> int:
    """Run ``args`` as the worker process; start it again after any abnormal exit.

    Abnormal is a signal (SIGKILL from the OOM killer, SIGSEGV), the stall status or any
    other non-zero status but a configuration or usage error's (see :func:`exit_reason`),
    within the :class:`RestartPolicy` budget. SIGTERM and SIGINT are passed on to the worker
    and end the supervisor with the worker's status; SIGUSR2 is passed on. Should this
    process be killed, the kernel kills the worker too (PR_SET_PDEATHSIG), so no orphan
    keeps consuming.
    """
    env = {**os.environ, CHILD_ENV: "1"}
    policy = RestartPolicy(max_restarts, window_s, backoff_s)
    current: list[subprocess.Popen[bytes]] = []
    stopping: list[bool] = []

    def forward(signum: int, _frame: Any) -> None:
        if signum != signal.SIGUSR2:
            stopping.append(True)
        for proc in current:
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR2)}
    try:
        while True:
            proc = subprocess.Popen(args, env=env, preexec_fn=_die_with_parent)
            current[:] = [proc]
            code = proc.wait()
            reason = exit_reason(code)
            if reason is None or stopping:
                return code
            delay = policy.next_delay(time.monotonic())
            if delay is None:
                click.echo(f"geotension worker: {reason}; giving up after {max_restarts} restart(s) within "
                           f"{window_s:g} s (app.max_restarts, app.restart_window_s)", err=True)
                return code if code > 0 else 128 - code
            click.echo(f"geotension worker: {reason}; starting a fresh one in {delay:g} s "
                       f"(restart {len(policy.restarts)} of at most {max_restarts} within {window_s:g} s)", err=True)
            if _sleep_unless(stopping, delay):
                return code if code > 0 else 128 - code
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _sleep_unless(stopping: list[bool], delay: float) -> bool:
    """Sleep ``delay`` seconds in short steps; True as soon as a stop signal has arrived."""
    deadline = time.monotonic() + delay
    while not stopping and time.monotonic() < deadline:
        time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))
    return bool(stopping)


def _die_with_parent() -> None:
    """In the child before exec: receive SIGKILL when the supervising process dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker outlives a killed supervisor
        pass


def install_task_dump(app: Any) -> None:
    """``kill -USR2 <pid>`` logs the await chain of every asyncio task of the worker."""
    from streams.taskdump import dump_tasks

    @app.task
    async def _install() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, dump_tasks)



def install_log_throttle(app: Any) -> None:
    """Repeated connection errors (a broker outage) become one line with a count every 5 s.

    Installed once the worker runs: faust sets up its log handlers when it starts.
    """
    from streams.logthrottle import install

    @app.task
    async def _throttle() -> None:
        install(5.0)


COMMANDS = [worker]
