"""Watchdog timer: repairs, then restarts, a worker whose agents stop receiving records.

Every ``app.watchdog_interval_s`` it reads faust's consumer state into a
:class:`~streams.watchdog.ConsumerView`. When records have waited ``app.stall_timeout_s``
without any agent progress it seeks every partition back to its committed offset, logs the
partitions involved with every task's await chain and puts idle partitions back into faust's
fetch set; if the next period brings no progress either, it stops the worker with
:data:`~streams.watchdog.EXIT_STALLED` so the supervising process starts a fresh one, which
carries on from the committed offsets. While the broker cannot be reached (the seek fails)
nothing escalates: faust reconnects by itself, and a restart would not help.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from streams.app import Pipeline
from streams.taskdump import dump_tasks
from streams.watchdog import EXIT_STALLED, ConsumerView, PartitionView, StallDetector

log = logging.getLogger("geotension.watchdog")

#: Seconds a stalled worker gets to shut down cleanly before it is ended hard.
SHUTDOWN_GRACE_S = 20.0
#: Seconds the repair's seek may take (it asks the broker for the committed offsets).
SEEK_TIMEOUT_S = 15.0


def consumer_view(app: Any, processed: int, earliest: dict[Any, int] | None = None) -> ConsumerView:
    """The watchdog's view of ``app``'s consumer (faust internals read, never changed).

    ``earliest`` holds the first offsets the broker still has, as last asked.
    """
    consumer = app.consumer
    active = consumer._active_partitions
    buffered = consumer._buffered_partitions
    partitions = []
    committed_total = 0
    for tp in source_partitions(app):
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # noqa: BLE001 - not fetched yet: unknown, not an error
            highwater = None
        committed = consumer._committed_offset.get(tp)
        committed_total += committed or 0
        partitions.append(PartitionView(tp.topic, tp.partition, highwater, committed,
                                        active is None or tp in active or tp in buffered,
                                        consumer._read_offset.get(tp), (earliest or {}).get(tp)))
    busy = bool(app.rebalancing or app.in_recovery)
    # A commit is progress as much as a record taken in: either restarts the clock.
    return ConsumerView(processed=processed + committed_total, busy=busy, partitions=tuple(partitions))


def source_partitions(app: Any) -> list[Any]:
    """The assigned partitions the agents read (table changelogs and faust's own left out)."""
    skip = set(app.tables.changelog_topics)
    return [tp for tp in sorted(app.consumer.assignment()) if tp.topic not in skip and "__assignor" not in tp.topic]


def install(pipeline: Pipeline, stop: Callable[[], object]) -> None:
    """Register the watchdog timer on the pipeline's app (nothing when the timeout is 0).

    ``stop`` begins a clean shutdown of the worker; the caller turns :data:`STALLED` into the
    exit status. Should the shutdown itself hang, the process ends after SHUTDOWN_GRACE_S.
    """
    settings = pipeline.settings.app
    if settings.stall_timeout_s <= 0:
        return
    app, counters = pipeline.app, pipeline.counters
    detector = StallDetector(settings.stall_timeout_s)
    repaired = False
    earliest: dict[Any, int] = {}

    @app.timer(interval=settings.watchdog_interval_s, name="watchdog")
    async def watchdog() -> None:
        nonlocal repaired
        if not app.consumer_generation_id:
            return  # not in the group yet
        view = consumer_view(app, sum(counters.records_in.values()), earliest)
        if not detector.observe(time.monotonic(), view):
            if not detector.waiting:
                repaired = False
            return
        detector.reset()
        consumer: Any = app.consumer
        # Retention may have deleted records the group never committed past: nothing waits
        # then, though the highwater says otherwise. Ask the broker before calling it a stall.
        try:
            earliest.update(await asyncio.wait_for(consumer.earliest_offsets(*source_partitions(app)),
                                                   timeout=SEEK_TIMEOUT_S))
        except Exception as exc:  # noqa: BLE001 - the seek below reports an unreachable broker
            log.debug("cannot read the earliest offsets: %s", exc)
        view = consumer_view(app, sum(counters.records_in.values()), earliest)
        if view.backlog == 0:
            log.info("records counted as waiting were deleted by the broker's retention; not a stall")
            return
        # faust drops fetched records below its read offset; a read offset left ahead of what
        # reached the agents silences a partition for good. Seeking to the committed offsets
        # resets it; records re-read from there are merged once (event ids). The seek needs
        # the broker: if it fails, the broker is the problem and faust's own retries apply.
        try:
            await asyncio.wait_for(consumer.perform_seek(), timeout=SEEK_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - unreachable broker: wait, do not restart
            log.warning("no progress for %.0fs with %d record(s) waiting (%s), and seeking to the committed "
                        "offsets failed (%s: %s): waiting for the broker", settings.stall_timeout_s,
                        view.backlog, view.describe(), type(exc).__name__, exc)
            return
        if not repaired:
            repaired = True
            idle = {(p.topic, p.partition) for p in view.idle_partitions()}
            log.error("no progress for %.0fs with %d record(s) waiting (%s; flow_active=%s): sought to the "
                      "committed offsets, resuming %d idle partition(s)", settings.stall_timeout_s, view.backlog,
                      view.describe(), consumer.flow_active, len(idle))
            dump_tasks()
            if idle:
                consumer.resume_partitions({tp for tp in consumer.assignment() if (tp.topic, tp.partition) in idle})
            if not consumer.flow_active:
                consumer.resume_flow()
            return
        log.critical("still no progress after the repair (%s): stopping with exit code %d so that a fresh "
                     "worker carries on from the committed offsets", view.describe(), EXIT_STALLED)
        STALLED.set()
        timer = threading.Timer(SHUTDOWN_GRACE_S, _hard_exit)
        timer.daemon = True
        timer.start()
        stop()


def _hard_exit() -> None:
    log.critical("clean shutdown did not finish within %.0fs; exiting now", SHUTDOWN_GRACE_S)
    logging.shutdown()
    os._exit(EXIT_STALLED)


#: Set once the watchdog has decided to stop the worker; the CLI turns it into the exit status.
STALLED = threading.Event()
