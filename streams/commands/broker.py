"""Commands: ``geotension broker start|stop|status`` — the local Apache Kafka broker."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from streams.broker import (
    BrokerStatus,
    ClientSecurity,
    LocalBroker,
    broker_answers,
    diagnose_connection,
    is_loopback,
    split_address,
)
from streams.settings import load_settings

#: ``status`` exits with this code when the broker is not running (like LSB init scripts),
#: so scripts can test ``geotension broker status`` without parsing its output.
EXIT_NOT_RUNNING = 3


def _local_broker() -> LocalBroker:
    return LocalBroker(load_settings())


def _show(path: Path) -> str:
    """A path relative to the working directory when it lies below it (shorter to read)."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def _describe(status: BrokerStatus) -> str:
    return f"{status.address} (pid {status.pid}, data {_show(status.data_dir)})"


@click.group()
def broker() -> None:
    """The local Apache Kafka broker: one KRaft node on 127.0.0.1, run from Maven Central jars.

    Needs Java 17+; Maven fetches the pinned jars (tools/kafka/pom.xml) on the first start.
    Data and logs live under local_broker.home (default .kafka/node-<port>) and survive
    restarts. The address comes from kafka.bootstrap (GEOTENSION_BOOTSTRAP).

    \b
    Example:
        geotension broker start
        geotension broker status
        geotension broker stop
    """


@broker.command()
def start() -> None:
    """Start the local broker (in the background) and wait until it answers.

    Does nothing but report when it already runs. Fails with one line naming the address
    and the log file when it cannot start.

    With GEOTENSION_KAFKA_SECURITY_PROTOCOL=SASL_SSL the client listener is SASL_SSL: a test
    CA and certificate are made on the first start, and the SCRAM user of
    GEOTENSION_KAFKA_SASL_USERNAME / GEOTENSION_KAFKA_SASL_PASSWORD is created when the data
    folder is formatted. Clients then need GEOTENSION_KAFKA_SSL_CAFILE=<the printed CA file>.

    \b
    Example:
        geotension broker start
        GEOTENSION_BOOTSTRAP=127.0.0.1:19092 GEOTENSION_LOCAL_BROKER_CONTROLLER_PORT=19093 geotension broker start
    """
    local = _local_broker()
    began = time.monotonic()
    status, started_now = local.start()
    if started_now:
        click.echo(f"Kafka {status.version} ready at {_describe(status)} in {time.monotonic() - began:.1f}s")
    else:
        click.echo(f"Kafka {status.version} already running at {_describe(status)}")
    if status.ca_file is not None:
        click.echo(f"SASL_SSL ({local.mechanism}): clients need GEOTENSION_KAFKA_SSL_CAFILE={status.ca_file}")


@broker.command()
@click.option("--timeout", "timeout_s", type=float, default=30.0, show_default=True,
              help="Seconds to wait for a clean shutdown before killing the broker.")  # fmt: skip
def stop(timeout_s: float) -> None:
    """Stop the local broker (clean shutdown; its data is kept).

    \b
    Example:
        geotension broker stop
    """
    local = _local_broker()
    if local.stop(timeout_s=timeout_s):
        click.echo(f"Kafka {local.version} at {local.address} stopped")
    else:
        click.echo(f"Kafka {local.version} at {local.address} was not running (instance {_show(local.instance_dir)})")


@broker.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show version, address, pid and data folder of the local broker.

    Exits 0 when it runs and 3 when it does not.

    \b
    Example:
        geotension broker status || geotension broker start
    """
    settings = load_settings()
    if not is_loopback(split_address(settings.kafka.bootstrap)[0]):
        # kafka.bootstrap points at a remote broker (Docker, a cluster): say whether it answers.
        answers = broker_answers(settings.kafka.bootstrap, security=ClientSecurity.from_settings(settings))
        click.echo(f"address  {settings.kafka.bootstrap} (not a local broker)")
        click.echo(f"state    {'answers' if answers else 'does not answer'}")
        ctx.exit(0 if answers else EXIT_NOT_RUNNING)
    local = LocalBroker(settings)
    current = local.status()
    click.echo(f"version  Kafka {current.version}")
    click.echo(f"address  {current.address}" + (" (SASL_SSL)" if local.secure else ""))
    click.echo(f"state    {'running' if current.running else 'not running'}")
    click.echo(f"pid      {current.pid if current.pid is not None else '-'}")
    click.echo(f"data     {_show(current.data_dir)}")
    click.echo(f"log      {_show(current.log_file)}")
    if not current.running:
        problem = diagnose_connection(current.address, local.client_security(), timeout_s=3.0) if local.secure else None
        if problem is not None and problem[0] in ("auth", "tls", "mismatch"):
            click.echo(f"note     {problem[1]}")
        elif broker_answers(current.address):
            # Someone else's broker (Docker, another home folder): usable, but not ours to stop.
            click.echo(
                f"note     a Kafka broker not started from {_show(local.instance_dir)} answers at {current.address}"
            )
        ctx.exit(EXIT_NOT_RUNNING)


COMMANDS = [broker]
