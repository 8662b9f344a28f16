"""``geotension worker``: every agent plus the HTTP server."""

from __future__ import annotations

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
    Worker(app, loglevel=loglevel or settings.app.log_level, quiet=True).execute_from_commandline()


COMMANDS = [worker]
