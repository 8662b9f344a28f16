"""Command: ``geotension tag`` — the tagger over JSON lines, without Kafka."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from streams.errors import TensionError
from streams.files import open_input
from streams.records import article_from_mapping, dumps
from streams.settings import Settings, load_settings
from streams.tagging import Tagger

SUBSCRIPT = {"SOURCE": "ₛ", "TARGET": "ₒ", "TRIGGER": "ₜ", "MODALITY": "ₘ"}


def _settings(config_dir: str | None) -> Settings:
    """Settings from ``--config-dir`` when given, else the usual lookup."""
    return load_settings(config_dir) if config_dir else load_settings()


def _articles(path: Path, errors: IO[str], bad: list[int]) -> Iterator[dict[str, Any]]:
    """NewsArticle records of a JSON-lines file; a bad line is reported and skipped."""
    fh = open_input(path, errors="surrogateescape")
    with fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                yield article_from_mapping(obj)
            except (ValueError, RecursionError) as exc:
                bad.append(number)
                click.echo(f"{path}:{number}: not valid JSON ({str(exc)[:80]})", err=True)
            except TensionError as exc:
                bad.append(number)
                click.echo(f"{path}:{number}: {exc}", err=True)


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
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="NewsArticle JSON lines (id, title, body, published_at, language, source, url).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write TaggedEvent JSON lines here instead of stdout.")
@click.option("--explain", "explain_mode", is_flag=True, help="Print one readable line per event instead of JSON.")
@click.option("--silent", is_flag=True, help="No progress or summary on stderr.")
@click.option("--config-dir", type=click.Path(file_okay=False, path_type=Path), help="Config folder (default: config/).")
def tag(input_path: Path, output_path: Path | None, explain_mode: bool, silent: bool, config_dir: Path | None) -> None:
    """Code news articles into dyadic CAMEO events offline, with the same rules as the tag agent.

    Bad lines are reported as FILE:LINE: reason on stderr and skipped.

    \b
    Example:
        geotension tag --input samples/news.jsonl --output events.jsonl
        geotension tag --input samples/news.jsonl --explain
    """
    tagger = Tagger.from_settings(_settings(str(config_dir) if config_dir else None))
    bad: list[int] = []
    articles = events = 0
    out: IO[str] = output_path.open("w", encoding="utf-8") if output_path else sys.stdout
    try:
        for article in _articles(input_path, sys.stderr, bad):
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
        if output_path:
            out.close()
    if not silent:
        click.echo(f"tagged {articles} articles, {events} events, {len(bad)} bad lines", err=True)


COMMANDS = [tag]
