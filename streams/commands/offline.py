"""``geotension indicators``: the indicator maths offline over TaggedEvent JSON lines."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from streams.commands.common import config_option, progress, settings_from
from streams.durations import parse_duration
from streams.errors import InputError, TensionError
from streams.files import close_output, label, open_input, open_output, writable_path
from streams.records import dumps, event_from_mapping


def read_events(path: Path, silent: bool, skipped: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """TaggedEvents from a JSON-lines file (``-`` = standard input); a bad line is reported as FILE:LINE and skipped.

    Each skipped line's report is also appended to ``skipped`` (the summary counts them).
    """
    handle = open_input(path)
    name = label(path)
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield event_from_mapping(json.loads(line))
                except (ValueError, RecursionError, TensionError) as exc:
                    report = f"{name}:{number}: skipped: {exc}"
                    if skipped is not None:
                        skipped.append(report)
                    progress(report, silent=False)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


@click.command()
@click.option("--events", "events_file", required=True, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="TaggedEvent JSON lines (as written by `geotension tag`); - reads stdin.")
@click.option("--every", default=None, help="Snapshot step, e.g. 1d or 12h (default: step in indicators.yaml).")
@click.option("--output", "-o", default=None, help="Write EscalationIndicator JSON lines here (default: stdout).")
@click.option("--alerts", "alerts_file", default=None, help="Also write EscalationAlert JSON lines here.")
@click.option("--silent", is_flag=True, help="No summary on stderr.")
@config_option
def indicators(events_file: Path, every: str | None, output: str | None, alerts_file: str | None,
               silent: bool, config_dir: str | None) -> None:
    """Compute escalation indicators offline: the same maths as the indicator agent.

    For every dyad, one snapshot per step of event time from its first event to the last
    event of the file; events are taken in file order. As in the worker, an event is late
    by the newest event time of its own tension.events partition (its dyad's, with
    topics.events.partitions): late ones within the horizon are merged, older ones reported
    and skipped, so the result equals the worker's whatever order its partitions arrived in.

    \b
    Example:
        geotension tag --input samples/articles.jsonl --output out/events.jsonl
        geotension indicators --events out/events.jsonl --every 1d --output out/indicators.jsonl
        geotension tag --input samples/articles.jsonl --silent | geotension indicators --events -
    """
    from streams.indicators import batch_indicators
    from streams.indicators.clock import key_partition

    settings = settings_from(config_dir)
    cfg = settings.indicators
    if every:
        cfg = dataclasses.replace(cfg, step=parse_duration(every, what="--every"))
    # Both outputs are opened before the work, so a path that cannot be written fails at once.
    out = open_output(output)
    alerts_out = open_output(alerts_file) if alerts_file else None
    try:
        bad_lines: list[str] = []
        events = list(read_events(events_file, silent, bad_lines))
        partitions = settings.topic_spec("events").partitions
        # Lateness by the clock of each event's tension.events partition, as the worker judges it.
        snapshots, alerts, rejected = batch_indicators(
            events, cfg, lambda event: key_partition(str(event["dyad"]).encode(), partitions))
        for event, reason in rejected:
            progress(f"{label(events_file)}: event {event.get('event_id')} skipped: {reason}", silent=silent)
        for snap in snapshots:
            out.write(dumps(snap) + "\n")
        if alerts_out is not None:
            for alert in alerts:
                alerts_out.write(dumps(alert) + "\n")
    finally:
        close_output(out)
        if alerts_out is not None:
            close_output(alerts_out)
    dyads = sorted({s["dyad"] for s in snapshots})
    skipped = len(bad_lines) + len(rejected)
    detail = f" ({len(bad_lines)} unreadable lines, {len(rejected)} events that could not enter)" if skipped else ""
    progress(f"{len(events)} events → {len(snapshots)} snapshots for {len(dyads)} dyads "
             f"({', '.join(dyads) or 'none'}), {len(alerts)} alerts, {skipped} skipped{detail}", silent=silent)


@click.command()
@click.option("--articles", "articles_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="NewsArticle JSON lines (default: the bundled samples/articles.jsonl).")
@click.option("--timeline", "timeline_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Dated expectations (default: samples/timeline.yaml).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=Path("out/backtest.png"),
              show_default=True, help="Where to write the chart (PNG).")
@click.option("--silent", is_flag=True, help="Only the exit code tells the result.")
@config_option
def backtest(articles_file: Path | None, timeline_file: Path | None, output: Path, silent: bool,
             config_dir: str | None) -> None:
    """Run tagger and indicators over a dated timeline, check known dates, chart it.

    Exits 1 when an expectation is missed (a listed rise that did not show, a cooperative
    date with tension, or a level above CALM after a month without conflict).

    \b
    Example:
        geotension backtest --output out/backtest.png
    """
    from streams.backtest import TIMELINE, load_timeline, render_chart, run_backtest
    from streams.demo import SAMPLE, load_articles

    settings = settings_from(config_dir)
    writable_path(output)
    timeline = load_timeline(timeline_file or TIMELINE)
    result = run_backtest(settings, load_articles(articles_file or SAMPLE), timeline)
    render_chart(result, timeline, output, settings)
    for verdict in result.verdicts:
        entry = verdict.entry
        progress(f"{'ok  ' if verdict.ok else 'MISS'} {entry.dyad} {entry.day} {entry.expect:<11} "
                 f"{verdict.before:6.1f} → {verdict.after:6.1f} ({verdict.level_before} → {verdict.level_after})  "
                 f"{entry.what}", silent=silent)
    for snap in result.not_calm_when_quiet:
        progress(f"MISS {snap['dyad']} {snap['as_of']:%Y-%m-%d} level {snap['level']} after 30 days without conflict",
                 silent=silent)
    passed = sum(v.ok for v in result.verdicts)
    progress(f"{passed}/{len(result.verdicts)} dated expectations met; chart written to {output}", silent=silent)
    if not result.ok:
        raise click.exceptions.Exit(1)


COMMANDS = [indicators, backtest]
