"""Settings of the read models, the API and the stream (``config/dashboard.yaml``).

Kept apart from ``pipeline.yaml`` because only the web side reads them; the same rules
apply: ``yaml.safe_load``, unknown keys and wrong types are a :class:`ConfigError` naming the
file and key, and ``GEOTENSION_DASHBOARD_<KEY>`` overrides a value. A config folder without
the file gets the defaults below.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from streams.durations import parse_duration
from streams.errors import ConfigError
from streams.settings import read_yaml

FILE_NAME = "dashboard.yaml"
ENV_PREFIX = "GEOTENSION_DASHBOARD_"


@dataclass(frozen=True)
class DashboardSettings:
    """Bounds of the in-memory read models and behaviour of /api/stream and /metrics."""

    history: timedelta = timedelta(days=365)
    events_per_dyad: int = 200
    alerts_kept: int = 500
    trend_lookback: timedelta = timedelta(days=7)
    trend_band: float = 2.0
    sse_heartbeat: timedelta = timedelta(seconds=15)
    sse_max_clients: int = 50
    sse_queue: int = 1000


_DURATIONS = {"history", "trend_lookback", "sse_heartbeat"}
_COUNTS = {"events_per_dyad", "alerts_kept", "sse_max_clients", "sse_queue"}


def load_dashboard_settings(config_dir: Path, env: Mapping[str, str] | None = None) -> DashboardSettings:
    """Read ``dashboard.yaml`` from ``config_dir`` (defaults when absent) and apply env overrides."""
    environ = os.environ if env is None else env
    path = config_dir / FILE_NAME
    raw: dict[str, Any] = {}
    if path.is_file():
        loaded = read_yaml(path)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: top level: expected a mapping, got {type(loaded).__name__}")
        raw = dict(loaded or {})
    known = {f.name for f in dataclasses.fields(DashboardSettings)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{path}: unknown key `{key}` (known: {', '.join(sorted(known))})")
    for key in known:
        name = ENV_PREFIX + key.upper()
        if name in environ:
            raw[key] = environ[name]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"environment `{ENV_PREFIX}{key.upper()}`" if ENV_PREFIX + key.upper() in environ else f"{path}: `{key}`"
        values[key] = _coerce(key, value, where)
    return DashboardSettings(**values)


def _coerce(key: str, value: Any, where: str) -> Any:
    if key in _DURATIONS:
        try:
            return parse_duration(value, what=key)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {str(exc).split(': ', 1)[-1]}") from None
    if key in _COUNTS:
        try:
            number = int(value) if isinstance(value, str) else value
        except ValueError:
            number = None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}: expected a whole number >= 1, got {value!r}")
        return number
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if not isinstance(number, (int, float)) or isinstance(number, bool) or number < 0:
        raise ConfigError(f"{where}: expected a number >= 0, got {value!r}")
    return float(number)
