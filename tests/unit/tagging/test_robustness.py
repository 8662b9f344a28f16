"""Odd input never raises; long bodies are truncated and flagged (their speed is measured in bench/)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.tagging import Tagger
from streams.tagging.normalize import NEEDS_CLEAN, clean, needs_clean

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


def test_ten_megabytes_are_cut_before_they_are_read(tagger: Tagger) -> None:
    # Speed is measured in bench/ (bench_tagger's length scaling); here the cut itself.
    body = ("Iran attacked Israel. " + "word " * 200 + "\n") * 10_000
    assert len(body) > 10_000_000
    events = tagger.tag(article("x", body))
    assert [(e["source"]["country"], e["target"]["country"], e["cameo_code"], e["truncated"]) for e in events] == [
        ("IRN", "ISR", "18", True)]


# Characters near every byte boundary the byte-level test looks at: controls, "<" and "&", the
# bidi and line separators (lead byte E2) and their neighbours (ZWNJ, quotes, dashes), the BOM
# and other EF characters, lone surrogates (ED), and ordinary Persian, Hebrew and Latin letters.
_NEAR = "".join(chr(c) for c in [*range(0x00, 0x30), 0x3C, 0x26, 0x7F, 0x80, 0xA0, 0xEB, *range(0x200B, 0x2030),
                                 *range(0x2060, 0x2070), 0x2190, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000,
                                 0xFEFE, 0xFEFF, 0xFF00, 0xFFFD, 0x0627, 0x06CC, 0x05D0, 0x1F600])


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_NEAR) | st.characters(), max_size=40))
def test_needs_clean_is_its_character_class(text: str) -> None:
    assert needs_clean(text) == (NEEDS_CLEAN.search(text) is not None)


@pytest.mark.parametrize("text", ["Iran\u200cIsrael", "a\u202eb", "\ufeffIran", "x\ud800", "AT&T", "1 < 2", "tab\there",
                                  "line\u2028break", "quote \u201cIran\u201d"])
def test_needs_clean_agrees_with_clean(text: str) -> None:
    # Every text it passes over is one clean() leaves alone.
    assert needs_clean(text) or clean(text) == text
    assert needs_clean(text) is (text not in ("Iran\u200cIsrael", "quote \u201cIran\u201d", "tab\there"))
