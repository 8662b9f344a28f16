"""``geotension reconcile``: what became of every news.raw record, across restarts."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from streams.commands.common import config_option, settings_from
from streams.errors import InputError
from streams.kafka_clients import admin_client, consumer, require_reachable
from streams.ledger import TABLE, entries_from, report, totals
from streams.settings import Settings


def changelog_topic(settings: Settings) -> str:
    """faust's changelog topic of the ledger table."""
    return f"{settings.app.id}-{TABLE}-changelog"


def _json(raw: bytes | None) -> Any:
    return None if raw is None else json.loads(raw)


def read_ledger(settings: Settings) -> dict[str, Any]:
    """The ledger's latest entry per partition, read from its changelog topic."""
    from streams.lag import read_all

    topic = changelog_topic(settings)
    reader = consumer(settings, allow_auto_create_topics=False)
    try:
        known = topic in reader.topics()
    finally:
        reader.close()
    if not known:
        raise InputError(f"no ledger yet: topic {topic} does not exist (has a worker with app.id "
                         f"{settings.app.id!r} run?)")
    records = sorted(read_all(settings, topic), key=lambda m: (m.partition, m.offset))
    return totals(entries_from((_json(m.key), _json(m.value)) for m in records))


def dead_letters_of_news(settings: Settings) -> int:
    """Distinct news.raw records on the dead-letter topic (a re-delivered one may be there twice)."""
    from streams.codec import default_registry
    from streams.lag import read_all

    news = settings.topic("news_raw")
    registry = default_registry()
    seen = set()
    for message in read_all(settings, settings.topic("deadletter")):
        try:
            _, letter = registry.decode(message.value or b"", expect="DeadLetter")
        except Exception:  # noqa: BLE001 - not ours: ignored
            continue
        if letter["topic"] == news and letter["agent"] == "tag":
            seen.add((letter["partition"], letter["offset"]))
    return len(seen)


def committed_on_news(settings: Settings) -> int:
    """Records of news.raw the group has committed (offsets count from 0)."""
    admin = admin_client(settings)
    try:
        offsets = admin.list_group_offsets({settings.app.id: None}).get(settings.app.id, {})
    finally:
        admin.close()
    news = settings.topic("news_raw")
    return sum(max(meta.offset, 0) for tp, meta in offsets.items() if tp.topic == news)


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
def reconcile(config_dir: str | None, as_json: bool) -> None:
    """Check that every news.raw record is accounted for once, across restarts.

    Reads the record ledger the workers keep (its changelog topic) and prints records taken
    in = with events + without events + dead letters, per partition and in all, checked
    against the distinct news.raw records on the dead-letter topic and the group's
    committed offsets. Exits 1 when something does not add up.

    \b
    Example:
        geotension reconcile
        GEOTENSION_APP_ID=geotension-2 geotension reconcile --json | jq .reconciled
    """
    settings = settings_from(config_dir)
    require_reachable(settings, 10.0)
    figures = read_ledger(settings)
    dead = dead_letters_of_news(settings)
    committed = committed_on_news(settings)
    ok = figures["reconciled"] and dead == figures["dead_letters"] and committed == figures["in"]
    if as_json:
        click.echo(json.dumps({**figures, "dead_letters_on_topic": dead, "committed_on_news_raw": committed,
                               "reconciled": ok}, sort_keys=True))
    else:
        for line in report(figures, dead, committed):
            click.echo(line)
    if not ok:
        sys.exit(1)


COMMANDS = [reconcile]
