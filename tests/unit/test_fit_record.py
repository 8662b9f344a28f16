"""Cutting an article's body so that its record fits a topic's max.message.bytes (pure, no broker)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.cli import cli
from streams.codec import default_registry
from streams.errors import ReplayError
from streams.records import article_from_mapping
from streams.replay import RECORD_OVERHEAD, TRUNCATED_HEADER, fit_article

ARTICLE = {"id": "big-1", "title": "Iran and Israel exchange strikes", "language": "fa",
           "published_at": "2024-10-01T18:00:00Z"}


@pytest.fixture(scope="module")
def encode():  # type: ignore[no-untyped-def]
    return default_registry().encoder("NewsArticle")


def test_a_record_that_fits_is_left_alone(encode) -> None:  # type: ignore[no-untyped-def]
    record = article_from_mapping({**ARTICLE, "body": "short"})
    fitted = fit_article(record, encode, 10_000, b"big-1")
    assert fitted.value == encode(record) and fitted.headers == [] and fitted.cut_from is None


def test_a_long_body_is_cut_between_characters_to_just_fit(encode) -> None:  # type: ignore[no-untyped-def]
    body = "\u062a\u0647\u0631\u0627\u0646 " * 5000  # two-byte letters: a byte cut could split one
    record = article_from_mapping({**ARTICLE, "body": body})
    limit = 8_000
    fitted = fit_article(record, encode, limit, b"big-1")
    name, decoded = default_registry().decode(fitted.value)
    assert name == "NewsArticle"
    assert body.startswith(decoded["body"]) and decoded["body"]
    assert {k: v for k, v in decoded.items() if k != "body"} == {k: v for k, v in record.items() if k != "body"}
    room = limit - RECORD_OVERHEAD - len(b"big-1")
    assert room - 2 <= len(fitted.value) <= room  # as long as fits, to the character
    assert fitted.headers == [(TRUNCATED_HEADER, str(len(body.encode("utf-8"))).encode())]
    assert (fitted.cut_from, fitted.cut_to) == (len(body.encode("utf-8")), len(decoded["body"].encode("utf-8")))


def test_a_record_too_big_even_without_body_is_refused(encode) -> None:  # type: ignore[no-untyped-def]
    record = article_from_mapping({**ARTICLE, "title": "x" * 5000, "body": "y" * 100})
    with pytest.raises(ReplayError, match=r"does not fit max.message.bytes=2000 even without its body"):
        fit_article(record, encode, 2000)


def test_dry_run_without_a_broker_reports_cuts_against_the_default_limit(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = tmp_path / "a.jsonl"
    big = "word " * 300_000
    source.write_text("\n".join(json.dumps({**ARTICLE, "id": f"a{i}", "body": big if i == 1 else "small"})
                                for i in range(3)) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(source), "--dry-run"], env={"GEOTENSION_BOOTSTRAP": f"127.0.0.1:{port}"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("would send 3 (1 cut to fit), skipped 0, invalid 0 of 3 read")
    cut = [line for line in result.stderr.splitlines() if "cut" in line]
    assert len(cut) == 1 and cut[0].startswith(f"{source}:2: body cut from 1,500,000 to ")
    assert cut[0].endswith(" bytes to fit max.message.bytes=1,048,576 of news.raw")
