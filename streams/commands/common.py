"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from streams.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """``--config-dir`` with the ``GEOTENSION_CONFIG_DIR`` fallback."""
    return click.option(
        "--config-dir",
        type=click.Path(file_okay=False, path_type=str),
        envvar="GEOTENSION_CONFIG_DIR",
        show_envvar=True,
        help="Folder with pipeline.yaml, actors.yaml, events.yaml, scale.yaml, indicators.yaml, dashboard.yaml.",
    )(func)


def settings_from(config_dir: str | None) -> Settings:
    """Load settings; errors are ConfigError and become one line."""
    return load_settings(config_dir)


def progress(message: str, *, silent: bool) -> None:
    """A status line on stderr unless ``--silent``."""
    if not silent:
        print(message, file=sys.stderr, flush=True)
