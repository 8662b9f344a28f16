"""What a process supervisor would do for a worker that stops making progress.

faust can stop delivering fetched records to a worker's agents after a member of its group
died (see README "Known issues"). The worker's own watchdog seeks back to the committed
offsets and, failing that, restarts the faust process; should both fail to resume it within
the idle window, the fault tests restart the worker once more, and the results must still
be exact.
"""

from __future__ import annotations

import time
from typing import Any

from streams.lag import group_lag
from streams.settings import Settings


def progresses(settings: Settings, worker: Any, idle_s: float, timeout_s: float) -> bool:
    """True once the worker's lag reaches 0; False if it does not move for ``idle_s``."""
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited"
        try:
            lag = group_lag(settings, settings.app.id, [settings.topic("events")])
        except Exception:  # noqa: BLE001 - coordinator not ready yet
            lag = None
        if lag == 0:
            return True
        if lag != last:
            last, since = lag, time.monotonic()
        elif time.monotonic() - since > idle_s + settings.app.session_timeout_s:
            return False
        time.sleep(1.0)
    return False
