"""Command: ``geotension tag`` — the tagger over JSON lines, without Kafka."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from streams.errors import TensionError
from streams.files import close_output, label, open_input, open_output
from streams.records import article_from_mapping, dumps
from streams.settings import Settings, load_settings
from streams.tagging import Tagger

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
@click.option("--explain", "explain_mode", is_flag=True, help="Print one readable line per event instead of JSON.")
@click.option("--silent", is_flag=True, help="No progress or summary on stderr.")
@click.option("--config-dir", type=click.Path(file_okay=False, path_type=Path), help="Config folder (default: config/).")
def tag(input_path: Path, output_path: Path | None, strict: bool, explain_mode: bool, silent: bool,
        config_dir: Path | None) -> None:
    """Code news articles into dyadic CAMEO events offline, with the same rules as the tag agent.

    Bad lines are reported as FILE:LINE: reason on stderr and skipped (or stop the run
    with exit 2 under --strict); when no line of the input was usable the exit status is 1.

    \b
    Example:
        geotension tag --input samples/articles.jsonl --output out/events.jsonl
        geotension tag --input samples/articles.jsonl --explain
        zcat archive.jsonl.gz | geotension tag --input - --strict > events.jsonl
    """
    tagger = Tagger.from_settings(_settings(str(config_dir) if config_dir else None))
    bad: list[int] = []
    articles = events = 0
    out: IO[str] = open_output(output_path)
    try:
        for article in _articles(input_path, sys.stderr, bad, strict):
            if article["published_at"] is None and article["ingested_at"] is None:
                bad.append(-1)
                click.echo(f"{input_path}: article {article['id']}: no published_at; skipped", err=True)
                continue
            articles += 1
            for event in tagger.tag(article):
                events += 1
                out.write((explain(event) if explain_mode else dumps(event)) + "\n")
            if not silent and articles % 10000 == 0:
                click.echo(f"tagged {articles} articles…", err=True)
    finally:
        close_output(out)
    if not silent:
        click.echo(f"tagged {articles} articles, {events} events, {len(bad)} bad lines", err=True)

    if not articles:
        raise click.ClickException(f"{label(input_path)}: no usable article"
                                   + (f" ({len(bad)} bad lines)" if bad else " (the input is empty)"))


COMMANDS = [tag]
