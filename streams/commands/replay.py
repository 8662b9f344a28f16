"""``geotension replay``, ``replay-topic``, ``rewind`` and ``ingest rss``: getting data into Kafka.

Progress goes to stderr (a bar on a terminal, a line every few seconds otherwise) unless
``--silent``; the final summary line goes to stdout. Invalid records are reported as
``file:line: reason`` and skipped, or stop the run with exit 2 under ``--strict``.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import IO

import click

from streams.commands.common import config_option, settings_from
from streams.durations import parse_duration
from streams.errors import ConfigError, InputError, TensionError
from streams.pacing import Pace
from streams.records import format_time, parse_time
from streams.replay import ReplayOptions, Selection, Stats, StrictStop, count_lines, read_inputs

#: Invalid records printed one by one before the rest are only counted.
MAX_PROBLEMS_SHOWN = 20


class StrictFailure(click.ClickException):
    """``--strict`` stopped at an invalid record: exit 2, like a usage error."""

    exit_code = 2


class ProgressLine:
    """Sent/skipped/invalid counts, rate and ETA on stderr, throttled; silent when asked."""

    def __init__(self, total: int | None, silent: bool, stream: IO[str] | None = None, every_s: float = 0.25) -> None:
        self.total, self.silent = total, silent
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s if self.tty else 5.0
        # Off a terminal the first line waits one period: short runs print only the summary.
        self.last = 0.0 if self.tty else time.monotonic()
        self.drawn = False

    def render(self, stats: Stats) -> str:
        rate = stats.sent / stats.elapsed_s
        done = stats.read
        head = ""
        eta = "?"
        if self.total:
            share = min(done / self.total, 1.0)
            filled = int(share * 24)
            head = f"[{'#' * filled}{'-' * (24 - filled)}] {share * 100:5.1f}% "
            per_read = stats.elapsed_s / done if done else 0.0
            left = max(self.total - done, 0) * per_read
            eta = time.strftime("%H:%M:%S", time.gmtime(left))
        return (f"{head}sent {stats.sent:,} skipped {stats.skipped:,} invalid {stats.invalid:,} "
                f"| {rate:,.0f}/s | ETA {eta}")

    def update(self, stats: Stats) -> None:
        if self.silent:
            return
        now = time.monotonic()
        if now - self.last < self.every_s:
            return
        self.last = now
        self._draw(self.render(stats))

    def _draw(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self.drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def problem(self, text: str, shown: list[int]) -> None:
        """One invalid record (the first few), printed above the bar."""
        shown[0] += 1
        if shown[0] > MAX_PROBLEMS_SHOWN:
            if shown[0] == MAX_PROBLEMS_SHOWN + 1:
                self._line("(more invalid records are counted, not shown)")
            return
        self._line(text)

    def _line(self, text: str) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, stats: Stats) -> None:
        if self.silent:
            return
        if self.drawn or self.tty:
            self._draw(self.render(stats))
            self.stream.write("\n")
            self.stream.flush()


def _time_option(value: str | None, option: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_time(value, option)
    except TensionError as exc:
        raise InputError(str(exc)) from None


def _pace(speed: float | None, rate: float | None, as_fast: bool, max_gap: str | None) -> Pace:
    if as_fast and (speed is not None or rate is not None):
        raise InputError("--max excludes --speed and --rate")
    gap = None
    if max_gap:
        try:
            gap = parse_duration(max_gap, what="--max-gap").total_seconds()
        except ConfigError as exc:
            raise InputError(str(exc)) from None
    return Pace(speed=speed, rate=rate, max_gap_s=gap)


def pacing_options(func: click.decorators.FC) -> click.decorators.FC:
    """``--speed``, ``--rate``, ``--max``, ``--max-gap`` shared by replay and replay-topic."""
    for option in reversed([
        click.option("--speed", type=float, envvar="GEOTENSION_REPLAY_SPEED", show_envvar=True,
                     help="Event time runs N times faster than real time (60 = an hour per minute)."),
        click.option("--rate", type=float, envvar="GEOTENSION_REPLAY_RATE", show_envvar=True,
                     help="Messages per second, whatever the event times."),
        click.option("--max", "as_fast", is_flag=True, help="As fast as possible (the default)."),
        click.option("--max-gap", metavar="DURATION",
                     help="With --speed, never pause longer than this for one gap (e.g. 10s)."),
    ]):
        func = option(func)
    return func


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@config_option
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "avro", "gdelt", "rss"]), default="auto",
              show_default=True, help="How to read the inputs; auto decides by extension, then by content.")
@click.option("--topic", envvar="GEOTENSION_REPLAY_TOPIC", show_envvar=True,
              help="Target topic (default: news.raw for articles, gdelt.raw for GDELT rows, with the prefix).")
@pacing_options
@click.option("--since", metavar="TIME", help="Only records with event time at or after TIME (ISO 8601).")
@click.option("--until", metavar="TIME", help="Only records with event time before TIME (ISO 8601).")
@click.option("--limit", type=click.IntRange(min=0), help="Stop after sending this many records.")
@click.option("--dry-run", is_flag=True, help="Read, validate and count; produce nothing.")
@click.option("--strict", is_flag=True, help="Stop at the first invalid record (exit 2).")
@click.option("--silent", is_flag=True, help="No progress or per-record problems on stderr.")
def replay(inputs: tuple[str, ...], config_dir: str | None, fmt: str, topic: str | None, speed: float | None,
           rate: float | None, as_fast: bool, max_gap: str | None, since: str | None, until: str | None,
           limit: int | None, dry_run: bool, strict: bool, silent: bool) -> None:
    """Produce FILEs (or feed URLs) to Kafka: news articles to news.raw, GDELT rows to gdelt.raw.

    Reads JSON lines of NewsArticle objects (.jsonl, .jsonl.gz), Avro container files of
    them (.avro), GDELT 2.0 event exports (.export.CSV, .export.CSV.zip) and RSS 2.0 / Atom
    documents (files or http(s) URLs); `-` reads standard input (its format from its first
    bytes, or --format). Articles are Avro single-object encoded, keyed by
    article id; GDELT lines are sent as they are, keyed by GLOBALEVENTID. The record
    timestamp is the event time, so a replay is idempotent for consumers that deduplicate.

    \b
    Example:
        geotension replay archive-2022.jsonl.gz --since 2022-07-01 --until 2022-10-01
        geotension replay 20250807220000.export.CSV.zip --speed 60
        geotension replay https://feeds.bbci.co.uk/news/world/rss.xml --dry-run
        zcat archive-2022.jsonl.gz | geotension replay - --rate 500
    """
    from streams.replay import replay as run_replay

    settings = settings_from(config_dir)
    options = ReplayOptions(
        topic=topic, pace=_pace(speed, rate, as_fast, max_gap),
        selection=Selection(_time_option(since, "--since"), _time_option(until, "--until"), limit),
        dry_run=dry_run, strict=strict,
    )
    if list(inputs).count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    for name in inputs:
        if name != "-" and not name.startswith(("http://", "https://")) and not Path(name).exists():
            raise InputError(f"{name}: file not found")
    bar = ProgressLine(count_lines(inputs) if not silent else None, silent)
    shown = [0]
    try:
        stats = run_replay(settings, read_inputs(inputs, fmt), options, on_record=bar.update,
                           on_problem=None if silent else (lambda text: bar.problem(text, shown)))
    except StrictStop as exc:
        bar.finish(Stats())
        raise StrictFailure(str(exc)) from None
    bar.finish(stats)
    click.echo(stats.summary(dry_run))


@click.command("replay-topic")
@config_option
@click.option("--topic", required=True, help="Topic to read the range from (full name).")
@click.option("--since", required=True, metavar="TIME", help="First record timestamp to copy (ISO 8601).")
@click.option("--until", metavar="TIME", help="Copy records before TIME (default: up to the current end).")
@click.option("--to-topic", help="Where to write (default: the same topic, appended).")
@pacing_options
@click.option("--limit", type=click.IntRange(min=0), help="Stop after copying this many records.")
@click.option("--dry-run", is_flag=True, help="Locate and count the range; copy nothing.")
@click.option("--silent", is_flag=True, help="No progress on stderr.")
def replay_topic(config_dir: str | None, topic: str, since: str, until: str | None, to_topic: str | None,
                 speed: float | None, rate: float | None, as_fast: bool, max_gap: str | None, limit: int | None,
                 dry_run: bool, silent: bool) -> None:
    """Re-feed the records of a time range of TOPIC, keeping keys, values, headers and timestamps.

    The range is located per partition with offsets-for-times (record timestamps, which
    `geotension replay` sets to event time) and fixed before copying starts.

    \b
    Example:
        geotension replay-topic --topic news.raw --since 2022-07-15 --until 2022-07-20 --to-topic news.rerun
        geotension replay-topic --topic news.raw --since 2024-04-01T00:00:00Z --speed 600
    """
    from streams.replay import copy_range

    settings = settings_from(config_dir)
    start = _time_option(since, "--since")
    end = _time_option(until, "--until")
    if start and end and end <= start:
        raise InputError("--until must be later than --since")
    bar = ProgressLine(None, silent)
    stats, total = copy_range(settings, topic, start, end, to_topic, _pace(speed, rate, as_fast, max_gap), limit,
                              dry_run, on_record=bar.update)
    bar.finish(stats)
    target = to_topic or topic
    if dry_run:
        click.echo(f"{total} records of {topic} in the range; would copy {min(total, limit) if limit is not None else total} to {target}")
    else:
        click.echo(f"copied {stats.sent} of {total} records in the range from {topic} to {target} "
                   f"in {stats.elapsed_s:.1f}s")


@click.command()
@config_option
@click.option("--group", required=True, envvar="GEOTENSION_APP_ID", show_envvar=True,
              help="Consumer group (a worker's group is its app id).")
@click.option("--to", "to", required=True, metavar="TIME",
              help="ISO 8601 time, or earliest / latest.")
@click.option("--topic", "topics", multiple=True,
              help="Topic to rewind (repeatable; default: every topic the group has committed offsets for).")
@click.option("--dry-run", is_flag=True, help="Show the moves; change nothing.")
def rewind(config_dir: str | None, group: str, to: str, topics: tuple[str, ...], dry_run: bool) -> None:
    """Reset GROUP's committed offsets to the first record at or after TIME.

    Refuses while the group has active members (their next commit would undo the rewind):
    stop the worker, rewind, start it again, and it re-derives everything from TIME on.

    \b
    Example:
        geotension rewind --group geotension --topic news.raw --to 2022-07-01
        geotension rewind --group geotension --topic news.raw --to earliest --dry-run
    """
    from streams.replay import resolve_time, rewind_group

    settings = settings_from(config_dir)
    target = resolve_time(to)
    moves = rewind_group(settings, group, target, [settings.topic(t) if _is_topic_key(settings, t) else t for t in topics],
                         dry_run)
    for move in moves:
        before = "-" if move.before is None else str(move.before)
        click.echo(f"{move.topic}[{move.partition}]  {before} -> {move.after}")
    label = target if isinstance(target, str) else format_time(target)
    click.echo(f"{'would rewind' if dry_run else 'rewound'} group {group} on {len(moves)} partition(s) to {label}")


def _is_topic_key(settings: object, name: str) -> bool:
    from streams.settings import TOPIC_KEYS

    return name in TOPIC_KEYS


@click.group()
def ingest() -> None:
    """Continuous ingestion into news.raw (feeds polled on an interval).

    \b
    Example:
        geotension ingest rss https://feeds.bbci.co.uk/news/world/rss.xml --interval 5m
    """


@ingest.command("rss")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@config_option
@click.option("--interval", default="5m", show_default=True, envvar="GEOTENSION_INGEST_INTERVAL", show_envvar=True,
              help="Time between polls of one feed (e.g. 90s, 5m, 1h).")
@click.option("--once", is_flag=True, help="Poll every feed once and exit.")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path),
              help="State file (default: <app data dir>/ingest/rss-<app id>.json).")
@click.option("--topic", help="Target topic (default: news.raw with the prefix).")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for one feed.")
@click.option("--silent", is_flag=True, help="Only feed failures on stderr, no per-poll summary.")
def ingest_rss(urls: tuple[str, ...], config_dir: str | None, interval: str, once: bool, state_file: Path | None,
               topic: str | None, timeout: float, silent: bool) -> None:
    """Poll RSS / Atom feeds and produce items never sent before to news.raw.

    Uses conditional GET (ETag, Last-Modified); remembers the ids it sent (bounded) in a
    state file so a restart sends nothing twice; a feed that is down is logged in one line
    and retried with exponential backoff while the others go on.

    \b
    Example:
        geotension ingest rss https://feeds.bbci.co.uk/news/world/rss.xml --interval 5m
        geotension ingest rss https://www.tiranatimes.com/feed/ --once
    """
    from streams.ingest import FeedIngester, PollReport, default_state_path

    settings = settings_from(config_dir)
    try:
        interval_s = parse_duration(interval, what="--interval").total_seconds()
    except ConfigError as exc:
        raise InputError(str(exc)) from None

    def log(text: str) -> None:
        click.echo(text, err=True)

    ingester = FeedIngester(settings, urls, state_file or default_state_path(settings), topic, log=log,
                            interval_s=interval_s, timeout_s=timeout)

    def report(result: PollReport) -> None:
        if once:
            click.echo(result.summary())
        elif not silent:
            click.echo(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} poll: {result.summary()}", err=True)

    ingester.run(once, report)


COMMANDS = [replay, replay_topic, rewind, ingest]
