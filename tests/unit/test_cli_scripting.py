"""The offline commands in scripts: standard input, exit codes, --strict, unwritable outputs,
environment errors and a bounded wait for an absent broker (no broker needed)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from streams.cli import cli
from streams.errors import ConfigError
from streams.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "articles.jsonl"
ARTICLE = {"id": "s1", "title": "Albania expels Iranian diplomats over the cyberattack",
           "body": "Albania expelled Iranian diplomats on Wednesday.", "language": "en",
           "published_at": "2022-09-07T09:00:00Z"}


def run(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env=env, catch_exceptions=False)


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A plain file, so that a path through it cannot be a folder (root ignores permission bits)."""
    path = tmp_path / "plain"
    path.write_text("", encoding="utf-8")
    return path


def test_tag_reads_standard_input_like_a_file(tmp_path: Path) -> None:
    from_file = run("tag", "--input", str(SAMPLE), "--silent")
    from_stdin = run("tag", "--input", "-", "--silent", stdin=SAMPLE.read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_stdin.stdout == from_file.stdout and from_file.stdout.count("\n") > 50


def test_tag_exits_1_when_no_line_is_usable() -> None:
    result = run("tag", "--input", "-", stdin='not json\n{"source": "wire"}\n')
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "<stdin>:1: not valid JSON (Expecting value: line 1 column 1 (char 0))",
        "<stdin>:2: article has neither `title` nor `body`",
        "tagged 0 articles, 0 events, 2 bad lines",
        "Error: <stdin>: no usable article (2 bad lines)",
    ]
    empty = run("tag", "--input", "-", "--silent", stdin="")
    assert empty.exit_code == 1 and empty.stderr == "Error: <stdin>: no usable article (the input is empty)\n"


def test_tag_strict_stops_at_the_first_bad_line_with_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(ARTICLE) + "\n{oops\n" + json.dumps({**ARTICLE, "id": "s2"}) + "\n", encoding="utf-8")
    lenient = run("tag", "--input", str(source), "--silent")
    assert lenient.exit_code == 0 and lenient.stdout.count("\n") == 2
    strict = run("tag", "--input", str(source), "--strict", "--silent")
    assert strict.exit_code == 2
    assert strict.stderr == (f"Error: {source}:2: not valid JSON (Expecting property name enclosed in double quotes: "
                             "line 1 column 2 (char 1)) (--strict: stopped)\n")
    assert strict.stdout.count("\n") == 1  # the article before the bad line was written


def test_indicators_reads_standard_input_and_counts_skipped_lines() -> None:
    events = run("tag", "--input", str(SAMPLE), "--silent").stdout
    first = events.splitlines()[0]
    broken = "\n".join(["{not json", '{"event_id": 1}', first, "[]", "x", "y", *events.splitlines()]) + "\n"
    clean = run("indicators", "--events", "-", stdin=events)
    result = run("indicators", "--events", "-", stdin=broken)
    assert clean.exit_code == result.exit_code == 0
    assert result.stdout == clean.stdout
    skipped_lines = [line for line in result.stderr.splitlines() if line.startswith("<stdin>:") and ": skipped: " in line]
    assert [line.split(":")[1] for line in skipped_lines] == ["1", "2", "4", "5", "6"]
    clean_summary, summary = clean.stderr.splitlines()[-1], result.stderr.splitlines()[-1]
    rejected = int(clean_summary.split(", ")[-1].split(" ")[0])
    assert summary.endswith(f", {rejected + 5} skipped (5 unreadable lines, {rejected} events that could not enter)")


@pytest.mark.parametrize("args", [
    ("tag", "--input", str(SAMPLE), "--output", "{bad}"),
    ("indicators", "--events", "{events}", "--output", "{bad}"),
    ("indicators", "--events", "{events}", "-o", "{bad}"),
    ("indicators", "--events", "{events}", "--alerts", "{bad}"),
    ("backtest", "--output", "{bad}"),
])
def test_an_unwritable_output_is_one_line_naming_it(tmp_path: Path, a_file: Path, args: tuple[str, ...]) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(run("tag", "--input", str(SAMPLE), "--silent").stdout, encoding="utf-8")
    bad = a_file / "out" / "x.jsonl"
    result = run(*(a.format(bad=bad, events=events) for a in args))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: cannot write ({a_file} is a file, not a folder)\n"


def test_replay_dry_run_reads_standard_input() -> None:
    lines = "".join(json.dumps({**ARTICLE, "id": f"s{i}"}) + "\n" for i in range(3)) + "nope\n"
    result = run("replay", "-", "--dry-run", stdin=lines)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("would send 3, skipped 0, invalid 1 of 4 read")
    assert "<stdin>:4: not valid JSON" in result.stderr
    twice = run("replay", "-", "-", "--dry-run", stdin=lines)
    assert twice.exit_code == 1 and twice.stderr == "Error: standard input (-) can be read only once\n"


@pytest.mark.parametrize(("env", "message"), [
    ({"GEOTENSION_WEB_PORT": "70000"},
     "environment `GEOTENSION_WEB_PORT`: must be a TCP port (0-65535), got '70000' (it overrides `web.port` of pipeline.yaml)"),
    ({"GEOTENSION_BOOTSTRAP": "nonsense"},
     "environment `GEOTENSION_BOOTSTRAP`: expected host:port, got 'nonsense' (it overrides `kafka.bootstrap` of pipeline.yaml)"),
    ({"GEOTENSION_TOPICS_NEWS_RAW_PARTITIONS": "0"},
     "environment `GEOTENSION_TOPICS_NEWS_RAW_PARTITIONS`: must be at least 1, got '0' "
     "(it overrides `topics.news_raw.partitions` of pipeline.yaml)"),
])
def test_a_bad_environment_value_names_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ROOT / "config", env=env)
    assert str(caught.value) == message


def test_a_bad_file_value_still_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("actors.yaml", "events.yaml", "indicators.yaml", "dashboard.yaml", "goldstein_cameo.csv"):
        (config / name).write_bytes((ROOT / "config" / name).read_bytes())
    (config / "pipeline.yaml").write_text("web:\n  port: 70000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pipeline.yaml: `web.port`: must be a TCP port \(0-65535\)$"):
        load_settings(config, env={})


def test_tail_gives_up_within_its_timeout_when_no_broker_answers() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("tail", "news_raw", "--timeout", "2", env={"GEOTENSION_BOOTSTRAP": f"127.0.0.1:{port}"})
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no Kafka broker answers at 127.0.0.1:{port} within 2s; start one with "
                             "`geotension broker start` or set GEOTENSION_BOOTSTRAP\n")


def test_an_unwritable_feed_state_is_one_line_before_any_poll(a_file: Path) -> None:
    state = a_file / "state" / "rss.json"
    result = run("ingest", "rss", "http://127.0.0.1:9/feed", "--once", "--state", str(state))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {state}: cannot write the feed state ({a_file} is a file, not a folder)\n"


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import click

    out: list[tuple[str, ...]] = []
    assert isinstance(group, click.Group)
    for name, command in sorted(group.commands.items()):
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
    return out


def test_every_bundled_file_named_in_help_examples_exists() -> None:
    """The examples in --help name only files that ship with the project (samples/, config/)."""
    import re

    named: set[str] = set()
    for path in _commands(cli):
        text = run(*path, "--help").stdout
        named.update(re.findall(r"(?<![\w/.-])((?:samples|config)/[\w./-]+)", text))
    assert "samples/articles.jsonl" in named
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
