"""``geotension demo``: the embedded default."""

from __future__ import annotations

import time
from pathlib import Path

import click

from streams.commands.common import config_option, progress, settings_from


@click.command()
@config_option
@click.option("--sample", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="NewsArticle JSON lines to run (default: the bundled samples/articles.jsonl).")
@click.option("--timeout", type=float, default=240.0, show_default=True, help="Seconds to wait for the worker.")
@click.option("--silent", is_flag=True, help="Only print the table.")
def demo(config_dir: str | None, sample: Path | None, timeout: float, silent: bool) -> None:
    """Run the whole pipeline over the bundled sample and print a per-dyad escalation table.

    Starts the local Kafka broker if nothing answers at the configured address, uses fresh
    topics for this run, and removes them (and stops the broker it started) at the end, so it
    can be run again and again.

    \b
    Example:
        geotension demo
        GEOTENSION_BOOTSTRAP=127.0.0.1:9092 geotension demo --sample my-articles.jsonl
    """
    from streams.demo import SAMPLE, run_demo

    settings = settings_from(config_dir)
    began = time.monotonic()
    table = run_demo(settings, lambda line: progress(line, silent=silent), sample or SAMPLE, timeout)
    click.echo(table)
    progress(f"demo finished in {time.monotonic() - began:.1f}s", silent=silent)


COMMANDS = [demo]
