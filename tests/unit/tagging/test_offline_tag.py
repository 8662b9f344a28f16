"""``geotension tag``: undated articles coded at the stand-in time, the summary's counts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from streams.cli import cli


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_undated_articles_are_coded_and_counted(tmp_path: Path) -> None:
    path = _write(tmp_path / "news.jsonl", [
        {"id": "d1", "title": "Albania expels Iranian diplomats", "body": "", "language": "en",
         "published_at": "2024-04-14T06:00:00Z"},
        {"id": "u1", "title": "Albania expels Iranian diplomats", "body": "", "language": "en"},
        {"id": "u2", "title": "", "body": "Israel struck military sites in Iran overnight.", "language": "en",
         "ingested_at": "2024-04-19T03:00:00Z"},
        {"id": "f1", "title": "", "body": "Selon le ministre, les relations entre Albania et Iran sont rompues "
         "depuis hier soir, après une longue crise diplomatique."},
    ])
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(cli, ["tag", "--input", str(path), "--output", str(out),
                                      "--default-time", "2025-06-20T12:00:00Z"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["article_id"], e["event_time"], e["source"]["code"], e["target"]["code"]) for e in events] == [
        ("d1", "2024-04-14T06:00:00Z", "ALB", "IRN"),
        ("u1", "2025-06-20T12:00:00Z", "ALB", "IRN"),
        ("u2", "2024-04-19T03:00:00Z", "ISR", "IRN"),
    ]
    assert result.stderr.strip().splitlines()[-1] == (
        "tagged 4 articles, 3 events, 0 bad lines; 3 without published_at (event time: ingested_at 1, "
        "default 2025-06-20T12:00:00Z 2); 1 in languages the rules do not cover, not coded (fr 1)")


def test_bad_default_time_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "news.jsonl", [])
    result = CliRunner().invoke(cli, ["tag", "--input", str(path), "--default-time", "yesterday"])
    assert result.exit_code == 2
    assert "--default-time" in result.output and "Traceback" not in result.output


def test_articles_without_a_title_are_coded_from_the_body(tmp_path: Path) -> None:
    path = _write(tmp_path / "news.jsonl", [
        {"id": "n1", "body": "Albania expelled Iranian diplomats on Wednesday.", "language": "en",
         "published_at": "2022-09-07T09:00:00Z"},
        {"id": "n2", "title": None, "body": "Israel struck military sites in Iran overnight.", "language": "en",
         "published_at": "2024-04-19T03:00:00Z"},
        {"id": "n3", "title": None, "source": "wire"},
    ])
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(cli, ["tag", "--input", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["article_id"], e["source"]["code"], e["target"]["code"], e["cameo_code"][:2]) for e in events] == [
        ("n1", "ALB", "IRN", "16"),
        ("n2", "ISR", "IRN", "19"),
    ]
    assert f"{path}:3: article has neither `title` nor `body`" in result.stderr.splitlines()
