"""Odd input never raises and stays linear; long bodies are truncated and flagged."""

from __future__ import annotations

import time

import pytest

from streams.tagging import Tagger

from .conftest import article, triples

ODD = [
    "",
    "\x00" * 100,
    "Albania \ud800 expels \udfff Iranian diplomats",
    "<script>alert(1)</script><b>Albania</b> expels <i>Iranian</i> diplomats &amp; staff",
    "\u202eAlbania expels Iranian diplomats\u202c",
    "Iran " + "x" * 100_000 + " Israel",
    "Irán ایران איראן Albania اسرائیل ישראל " * 50,
    "<" * 50_000 + "Israel strikes Iran",
]


@pytest.mark.parametrize("body", ODD, ids=range(len(ODD)))
def test_odd_text_does_not_raise(tagger: Tagger, body: str) -> None:
    assert isinstance(tagger.tag(article("headline", body)), list)


def test_html_and_controls_are_cleaned_before_coding(tagger: Tagger) -> None:
    events = tagger.tag(article("x", "<p>Albania\x00 expels <b>Iranian</b> diplomats</p>"))
    assert triples(events) == [("ALB", "IRN", "161", "ASSERTED")]
    assert events[0]["evidence"]["sentence"] == "Albania  expels  Iranian  diplomats"


def test_long_body_is_truncated_and_flagged(tagger: Tagger) -> None:
    body = "Albania expels Iranian diplomats. " + "Filler words here. " * 10_000
    events = tagger.tag(article("x", body))
    assert [(e["cameo_code"], e["truncated"]) for e in events] == [("161", True)]


def test_ten_megabytes_is_fast(tagger: Tagger) -> None:
    body = ("Iran and Israel and Albania. " + "word " * 200 + "\n") * 10_000
    start = time.perf_counter()
    tagger.tag(article("x", body))  # cut at max_body_chars first
    assert time.perf_counter() - start < 2.0
