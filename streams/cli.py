"""The ``geotension`` command line: one click group, one module per command family.

User errors (a missing file, an unreachable broker, a bad config key) end as one line on
stderr and a non-zero exit, never a traceback: every command raises :class:`TensionError`
subclasses and :func:`main` turns them into ``click.ClickException``.
"""

from __future__ import annotations

import sys

import click

from streams import __version__
from streams.errors import ConfigError, TensionError
from streams.watchdog import EXIT_CONFIG


class TensionGroup(click.Group):
    """A click group that prints our own errors as one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise ConfigException(str(exc)) from None
        except TensionError as exc:
            raise click.ClickException(str(exc)) from None


class ConfigException(click.ClickException):
    """A configuration error: exits with EX_CONFIG, which ``geotension worker`` never restarts."""

    exit_code = EXIT_CONFIG


@click.group(cls=TensionGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="geotension")
def cli() -> None:
    """geotension: news and GDELT through Kafka into dyadic events and escalation indicators.

    \b
    Example:
        geotension demo                       # local broker + bundled sample + table
        geotension broker start && geotension worker
    """


def _register() -> None:
    from streams.commands import broker, demo, offline, offline_tag, reconcile, replay, schemas, tail, worker

    for module in (broker, demo, offline, offline_tag, reconcile, replay, schemas, tail, worker):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="geotension", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
