"""``geotension worker``: every agent plus the HTTP server."""

from __future__ import annotations

import asyncio
import logging
import signal
import types
from typing import Any

import click

from streams.commands.common import config_option, settings_from


@click.command()
@config_option
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Log level (default: app.log_level from pipeline.yaml).")
def worker(config_dir: str | None, loglevel: str | None) -> None:
    """Run the stream processor: tag news.raw, compute indicators, serve HTTP on 127.0.0.1.

    Creates missing topics first. Stop it with Ctrl-C (or SIGTERM): offsets are committed and
    table state flushed, so a restart carries on where it stopped.

    \b
    Example:
        geotension broker start
        geotension worker --loglevel info
        GEOTENSION_BOOTSTRAP=kafka.example:9092 geotension worker
    """
    from faust.worker import Worker

    from streams.app import build_topology, create_app
    from streams.topics import ensure_topics

    settings = settings_from(config_dir)
    ensure_topics(settings)
    app = create_app(settings)
    build_topology(app, settings)
    install_task_dump(app)
    Worker(app, loglevel=loglevel or settings.app.log_level, quiet=True).execute_from_commandline()


def install_task_dump(app: Any) -> None:
    """``kill -USR2 <pid>`` logs the await chain of every asyncio task of the worker.

    A worker that stops making progress without an error is otherwise a black box: this shows
    which await each agent and service is parked on, down to the innermost coroutine.
    """
    log = logging.getLogger("geotension.worker")

    def chain(task: asyncio.Task[Any]) -> str:
        lines = []
        coro: Any = task.get_coro()
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
            if frame is not None:
                lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
        return "\n".join(lines) or "  (no frames)"

    def dump() -> None:
        import gc

        for task in asyncio.all_tasks():
            log.warning("task %s:\n%s", task.get_name(), chain(task))
        for obj in gc.get_objects():
            if not isinstance(obj, (types.CoroutineType, types.AsyncGeneratorType)):
                continue
            code = obj.cr_code if isinstance(obj, types.CoroutineType) else obj.ag_code
            if "/streams/" in code.co_filename:
                log.warning("coroutine %s:\n%s", code.co_name, chain_of(obj))

    def chain_of(coro: Any) -> str:
        lines = []
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
            if frame is not None:
                lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
        return "\n".join(lines) or "  (finished)"

    @app.task
    async def _install() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, dump)


COMMANDS = [worker]
