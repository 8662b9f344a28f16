"""Logs where every asyncio task of the worker is waiting.

A worker that stops making progress without an error is otherwise a black box: this shows
which await each agent and service is parked on, down to the innermost coroutine. The worker
calls it on ``kill -USR2`` and when its watchdog sees a stall.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import types
from typing import Any

log = logging.getLogger("geotension.tasks")


def await_chain(coro: Any) -> str:
    """``file:line in function`` for each coroutine ``coro`` awaits, outermost first."""
    lines = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None:
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return "\n".join(lines) or "  (finished)"


def dump_tasks() -> None:
    """Log the await chain of every task, then of the project's own coroutines and generators.

    Agents iterate async generators that are not tasks themselves, hence the second pass.
    """
    for task in asyncio.all_tasks():
        log.warning("task %s:\n%s", task.get_name(), await_chain(task.get_coro()))
    for obj in gc.get_objects():
        if not isinstance(obj, (types.CoroutineType, types.AsyncGeneratorType)):
            continue
        code = obj.cr_code if isinstance(obj, types.CoroutineType) else obj.ag_code
        if "/streams/" in code.co_filename:
            log.warning("coroutine %s:\n%s", code.co_name, await_chain(obj))
