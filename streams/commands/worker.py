"""``geotension worker``: every agent plus the HTTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

import click

from streams.commands.common import config_option, settings_from
from streams.settings import Settings
from streams.watchdog import EXIT_STALLED

#: Set in the worker process that ``geotension worker`` supervises (the one running faust).
CHILD_ENV = "GEOTENSION_WORKER_CHILD"

@click.command()
@config_option
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Log level (default: app.log_level from pipeline.yaml).")
@click.option("--no-supervise", is_flag=True,
              help="Run faust in this process: no restart after a stall (for an external supervisor).")
def worker(config_dir: str | None, loglevel: str | None, no_supervise: bool) -> None:
    """Run the stream processor: tag news.raw, compute indicators, serve HTTP on 127.0.0.1.

    Creates missing topics first. Stop it with Ctrl-C (or SIGTERM): offsets are committed and
    table state flushed, so a restart carries on where it stopped. faust runs in a child
    process: should its agents get no records for app.stall_timeout_s while records wait, a
    watchdog seeks back to the committed offsets; if that does not help the child exits with
    status 75 and a fresh one carries on (at most app.max_restarts times).

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
    sys.exit(supervise(args, settings.app.max_restarts))


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


def supervise(args: list[str], max_restarts: int) -> int:
    """Run ``args`` as the worker process; start it again while it exits with EXIT_STALLED.

    SIGTERM, SIGINT and SIGUSR2 are passed on to the worker; should this process be killed,
    the kernel kills the worker too (PR_SET_PDEATHSIG), so no orphan keeps consuming.
    """
    env = {**os.environ, CHILD_ENV: "1"}
    restarts = 0
    current: list[subprocess.Popen[bytes]] = []
    stopping = False

    def forward(signum: int, _frame: Any) -> None:
        nonlocal stopping
        if signum != signal.SIGUSR2:
            stopping = True
        for proc in current:
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR2)}
    try:
        while True:
            proc = subprocess.Popen(args, env=env, preexec_fn=_die_with_parent)
            current[:] = [proc]
            code = proc.wait()
            if code != EXIT_STALLED or stopping:
                return code
            if restarts >= max_restarts:
                click.echo(f"geotension worker: the worker stalled {restarts + 1} time(s); giving up "
                           f"(app.max_restarts is {max_restarts})", err=True)
                return code
            restarts += 1
            click.echo(f"geotension worker: the worker stopped making progress; starting a fresh one "
                       f"(restart {restarts} of at most {max_restarts})", err=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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


COMMANDS = [worker]
