"""Command: ``geotension tag`` — the tagger over JSON lines, without Kafka."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click

from streams.errors import TensionError
from streams.files import close_output, label, open_input, open_output
from streams.records import article_from_mapping, dumps, format_time, parse_time
from streams.settings import Settings, load_settings
from streams.tagging import Tagger
from streams.tagging.coder import SentenceTrace

SUBSCRIPT = {"SOURCE": "ₛ", "TARGET": "ₒ", "TRIGGER": "ₜ", "MODALITY": "ₘ"}


def _settings(config_dir: str | None) -> Settings:
    """Settings from ``--config-dir`` when given, else the usual lookup."""
    return load_settings(config_dir) if config_dir else load_settings()


class StrictFailure(click.ClickException):
    """``--strict`` stopped at a bad line: exit 2, like ``replay --strict``."""

    exit_code = 2


def _articles(path: Path, errors: IO[str], bad: list[int], strict: bool = False) -> Iterator[dict[str, Any]]:
    """NewsArticle records of a JSON-lines file (``-`` = standard input); a bad line is reported and skipped.

    With ``strict`` the first bad line raises :class:`StrictFailure` instead.
    """
    fh = open_input(path, errors="surrogateescape")
    name = label(path)
    with fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                yield article_from_mapping(obj)
                continue
            except (ValueError, RecursionError) as exc:
                problem = f"{name}:{number}: not valid JSON ({str(exc)[:80]})"
            except TensionError as exc:
                problem = f"{name}:{number}: {exc}"
            bad.append(number)
            if strict:
                raise StrictFailure(f"{problem} (--strict: stopped)")
            click.echo(problem, err=True)


def explain_trace(article_id: str, traces: list[SentenceTrace]) -> list[str]:
    """Lines for ``--explain`` about the sentences behind an article's events: which rule paired
    each trigger, and for a sentence naming two sides that gave no event, why."""
    lines = []
    for t in traces:
        sentence = t.text if len(t.text) <= 160 else t.text[:157] + "..."
        head = f"  {article_id} sentence {t.index}" + (" (headline)" if t.index == 0 else "")
        if not t.events:
            lines.append(f"{head}: no event «{sentence}»")
        else:
            lines.append(f"{head}: {t.events} event(s)")
        for d in t.decisions:
            trigger = d.trigger.payload.name
            if d.roles is not None:
                lines.append(f"    {trigger}: rule {d.rule}: {d.roles.source.text} → {d.roles.target.text}")
            else:
                lines.append(f"    {trigger}: {('rule ' + d.rule + ': ') if d.rule else ''}nothing coded: {d.reason}")
        for note in t.notes:
            lines.append(f"    {note}")
    return lines


def explain(event: dict[str, Any]) -> str:
    """One human-readable line: direction, code, modality, confidence and the marked sentence."""
    sentence = event["evidence"]["sentence"]
    marks: list[tuple[int, int, str]] = []
    for span in event["evidence"]["spans"]:
        marks.append((span["end"], 0, "]" + SUBSCRIPT.get(span["label"], "")))
        marks.append((span["start"], 1, "["))
    text = sentence
    for pos, _, mark in sorted(marks, reverse=True):
        text = text[:pos] + mark + text[pos:]
    s, t = event["source"], event["target"]
    who = f"{s['country'] or s['code']}→{t['country'] or t['code']}"
    return (f"{who} {event['cameo_code']} {event['modality']} {event['confidence']:.2f}  "
            f"{event['article_id']} {event['context']}  «{text}»")


@click.command("tag")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              help="NewsArticle JSON lines (id, title, body, published_at, language, source, url); - reads stdin.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              help="Write TaggedEvent JSON lines here instead of stdout.")
@click.option("--strict", is_flag=True, help="Stop at the first bad line (exit 2).")
@click.option("--explain", "explain_mode", is_flag=True,
              help="Print one readable line per event instead of JSON, then for each sentence naming two sides the "
                   "rule that paired each trigger, or why nothing was coded.")
@click.option("--silent", is_flag=True, help="No progress or summary on stderr.")
@click.option("--config-dir", type=click.Path(file_okay=False, path_type=Path), help="Config folder (default: config/).")
@click.option("--default-time", "default_time", metavar="TIME",
              help="Event time of articles with neither published_at nor ingested_at (ISO 8601; default: the run's start).")
def tag(input_path: Path, output_path: Path | None, strict: bool, explain_mode: bool, silent: bool,
        config_dir: Path | None, default_time: str | None) -> None:
    """Code news articles into dyadic CAMEO events offline, with the same rules as the tag agent.

    Bad lines are reported as FILE:LINE: reason on stderr and skipped (or stop the run
    with exit 2 under --strict); when no line of the input was usable the exit status is 1.
    An undated article is coded all the same: its event time is ingested_at, else
    --default-time, else the time the run started; the summary counts them, and the articles
    in languages the rules do not cover.

    \b
    Example:
        geotension tag --input samples/articles.jsonl --output out/events.jsonl
        geotension tag --input samples/articles.jsonl --explain
        zcat archive.jsonl.gz | geotension tag --input - --strict > events.jsonl
        geotension tag --input undated.jsonl --default-time 2025-06-20T12:00:00Z
    """
    try:
        fallback = parse_time(default_time, "--default-time") if default_time else datetime.now(tz=UTC)
    except TensionError as exc:
        raise click.BadParameter(str(exc), param_hint="--default-time") from None
    tagger = Tagger.from_settings(_settings(str(config_dir) if config_dir else None))
    bad: list[int] = []
    articles = events = 0
    bases: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    out: IO[str] = open_output(output_path)
    try:
        for article in _articles(input_path, sys.stderr, bad, strict):
            articles += 1
            tagged = tagger.tag_article(article, fallback, explain=explain_mode)
            bases[tagged.time_basis] += 1
            if not tagged.supported:
                unsupported[tagged.language] += 1
            for event in tagged.events:
                events += 1
                out.write((explain(event) if explain_mode else dumps(event)) + "\n")
            if explain_mode and tagged.trace:
                out.write("".join(line + "\n" for line in explain_trace(article["id"], tagged.trace)))
            if not silent and articles % 10000 == 0:
                click.echo(f"tagged {articles} articles…", err=True)
    finally:
        close_output(out)
    if not silent:
        click.echo(summary(articles, events, len(bad), bases, unsupported, fallback), err=True)

    if not articles:
        raise click.ClickException(f"{label(input_path)}: no usable article"
                                   + (f" ({len(bad)} bad lines)" if bad else " (the input is empty)"))


def summary(articles: int, events: int, bad: int, bases: Counter[str], unsupported: Counter[str],
            fallback: datetime) -> str:
    """The run's last line: counts, the undated articles and what time they got, the languages
    the rules do not cover."""
    line = f"tagged {articles} articles, {events} events, {bad} bad lines"
    undated = bases["ingested_at"] + bases["default"]
    if undated:
        line += (f"; {undated} without published_at (event time: ingested_at {bases['ingested_at']}, "
                 f"default {format_time(fallback)} {bases['default']})")
    if unsupported:
        langs = ", ".join(f"{lang} {n}" for lang, n in sorted(unsupported.items(), key=lambda kv: (-kv[1], kv[0])))
        line += f"; {sum(unsupported.values())} in languages the rules do not cover, not coded ({langs})"
    return line



COMMANDS = [tag]
