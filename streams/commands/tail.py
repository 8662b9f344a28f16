"""``geotension tail TOPIC``: decode and print a topic for humans."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from streams.codec import default_registry
from streams.commands.common import config_option, settings_from
from streams.errors import InputError, SchemaError
from streams.kafka_clients import consumer, require_reachable
from streams.records import to_jsonable
from streams.settings import TOPIC_KEYS, Settings


def describe(value: bytes | None) -> tuple[str, object]:
    """(schema name, printable record) for any value on our topics."""
    if value is None:
        return "tombstone", None
    try:
        name, record = default_registry().decode(value)
        if name == "DeadLetter":
            record["value_preview"] = (record.get("value") or b"")[:200].decode("utf-8", "replace")
        return name, to_jsonable(record)
    except SchemaError as exc:
        try:
            return "json", json.loads(value)
        except ValueError:
            return "undecodable", f"{exc}: {value[:80]!r}"


@click.command()
@click.argument("topic")
@config_option
@click.option("--follow", "-f", is_flag=True, help="Keep waiting for new records.")
@click.option("--from-beginning/--latest", default=True, help="Start at the oldest record (default) or only new ones.")
@click.option("--limit", "-n", type=int, default=None, help="Stop after this many records.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a summary.")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Without --follow, stop after this many idle seconds.")
@click.option("--table/--lines", "table", default=None,
              help="Indicators: one row per dyad kept current (default with --follow on the indicators topic).")
def tail(topic: str, config_dir: str | None, follow: bool, from_beginning: bool, limit: int | None,
         as_json: bool, timeout: float, table: bool | None) -> None:
    """Print the records of TOPIC, decoded with the schemas (Avro single-object or JSON).

    TOPIC is a settings key (news_raw, events, indicators, alerts, deadletter) or a topic
    name; both get the configured topic prefix (GEOTENSION_TOPICS_PREFIX) unless the name
    already carries it. A topic that does not exist is an error: tail never creates one.

    With --follow on tension.indicators the output is a live table, one row per dyad with
    its newest snapshot, redrawn in place on a terminal; when stdout is not a terminal each
    change is one plain line instead.

    \b
    Example:
        geotension tail tension.indicators -n 5
        geotension tail tension.indicators --follow          # live table per dyad
        geotension tail deadletter --json | jq .reason
    """
    settings = settings_from(config_dir)
    require_reachable(settings, timeout if not follow else max(timeout, 5.0))
    name = topic_name(settings, topic)
    reader = consumer(
        settings,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        consumer_timeout_ms=float("inf") if follow else int(timeout * 1000),
        # Reading must never create a topic (a broker creates one on a metadata request
        # for an unknown name when auto-creation is on, its default).
        allow_auto_create_topics=False,
    )
    try:
        known = reader.topics()
    except Exception:
        reader.close()
        raise
    if name not in known:
        reader.close()
        raise InputError(f"no such topic: {name}" + (f" (topic prefix {settings.topics.prefix!r})"
                                                        if settings.topics.prefix else ""))
    reader.subscribe([name])
    shown = 0
    live = IndicatorTable() if (table if table is not None else follow and name == settings.topic("indicators")) else None
    tty = sys.stdout.isatty()
    drawn = 0
    try:
        for message in reader:
            kind, record = describe(message.value)
            if live is not None and not as_json and kind == "EscalationIndicator" and isinstance(record, dict):
                if live.update(record):
                    if tty:
                        # Move up over the last drawing and clear it, then draw the table again.
                        text = live.render()
                        click.echo((f"\x1b[{drawn}F\x1b[J" if drawn else "") + text)
                        drawn = text.count("\n") + 1
                    else:
                        click.echo(live.line(record["dyad"]))
            elif as_json:
                click.echo(json.dumps({"topic": message.topic, "partition": message.partition, "offset": message.offset,
                                       "schema": kind, "value": record}, ensure_ascii=False))
            else:
                click.echo(summary(message, kind, record))
            shown += 1
            if limit is not None and shown >= limit:
                break
    finally:
        reader.close()


def topic_name(settings: Settings, topic: str) -> str:
    """The full name of TOPIC: a settings key or a configured topic's name gets the prefix.

    ``deadletter`` and ``tension.deadletter`` both name the run's dead-letter topic
    (``<prefix>tension.deadletter``); a name that already carries the prefix, or that no
    setting knows, is used as it is.
    """
    if topic in TOPIC_KEYS:
        return settings.topic(topic)
    prefix = settings.topics.prefix
    names = {settings.topic_spec(key).name for key in TOPIC_KEYS}
    if prefix and topic in names and not topic.startswith(prefix):
        return f"{prefix}{topic}"
    return topic


def summary(message: object, kind: str, record: object) -> str:
    """One readable line per record."""
    where = f"{getattr(message, 'partition', '?')}@{getattr(message, 'offset', '?')}"
    if isinstance(record, dict):
        if kind == "TaggedEvent":
            return (f"{where} {record['event_time']} {record['source']['code']}→{record['target']['code']} "
                    f"{record['cameo_code']} {record['modality']} {record['confidence']:.2f}  {record['evidence']['sentence'][:100]}")
        if kind == "EscalationIndicator":
            w = {x["window"]: x for x in record["windows"]}
            first = next(iter(w.values()))
            return (f"{where} {record['dyad']} as_of {record['as_of']} rev {record['revision']} {record['level']:<9} "
                    f"index {record['tension_index']:6.2f} conflict[{first['window']}] {first['conflict_sum']:.2f}"
                    f"{' (provisional)' if record.get('provisional') else ''}")
        if kind == "EscalationAlert":
            return f"{where} ALERT {record['dyad']} {record['from_level']} → {record['to_level']} as_of {record['as_of']}"
        if kind == "DeadLetter":
            return f"{where} DEAD {record['topic']}[{record['partition']}]@{record['offset']} {record['reason']}"
        if kind == "NewsArticle" or "title" in record:
            return f"{where} {record.get('published_at')} {record.get('title')}"
    return f"{where} {kind} {json.dumps(record, ensure_ascii=False)[:200]}"


class IndicatorTable:
    """Newest snapshot per dyad (highest as_of, then revision) rendered as an aligned table."""

    HEADER = ("dyad", "as of", "rev", "level", "index", "conflict", "coop", "events", "")

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def update(self, snap: dict[str, Any]) -> bool:
        """Keep ``snap`` (JSON rendering) if it is the dyad's newest; True when the table changed."""
        old = self.rows.get(snap["dyad"])
        if old is not None and (old["as_of"], old["revision"]) >= (snap["as_of"], snap["revision"]):
            return False
        self.rows[snap["dyad"]] = snap
        return True

    def cells(self, dyad: str) -> tuple[str, ...]:
        snap = self.rows[dyad]
        first = snap["windows"][0] if snap["windows"] else {"window": "-", "conflict_sum": 0.0, "cooperation_sum": 0.0,
                                                             "event_count": 0}
        return (dyad, snap["as_of"][:16].replace("T", " "), str(snap["revision"]), snap["level"],
                f"{snap['tension_index']:.1f}", f"{first['conflict_sum']:.1f}", f"{first['cooperation_sum']:.1f}",
                str(first["event_count"]), "provisional" if snap.get("provisional") else "")

    def render(self) -> str:
        """Header, rule and one row per dyad (sorted), columns padded to the widest cell."""
        lines = [self.HEADER, *(self.cells(d) for d in sorted(self.rows))]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.HEADER))]
        out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
        out.insert(1, "  ".join("-" * w for w in widths).rstrip())
        return "\n".join(out)

    def line(self, dyad: str) -> str:
        """One plain line for a change (when stdout is not a terminal)."""
        return " ".join(cell for cell in self.cells(dyad) if cell)


COMMANDS = [tail]
