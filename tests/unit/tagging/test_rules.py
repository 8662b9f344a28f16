"""Labeled cases, one or more per coding rule: exact (source, target, code, modality) tuples."""

from __future__ import annotations

import pytest

from streams.tagging import Tagger

from .conftest import article, triples

CASES = [
    # active voice, expulsion
    ("Albania expels Iranian diplomats", "", "en", [("ALB", "IRN", "161", "ASSERTED")]),
    # denial flips nothing: the accused is still the source, modality DENIED
    ("Iran denies involvement in Albania cyberattack", "", "en", [("IRN", "ALB", "17", "DENIED")]),
    # passive with an agent marker
    ("Albania's parliament was hit by a cyberattack claimed by Homeland Justice", "", "en",
     [("IRN", "ALB", "17", "CLAIMED")]),
    # accusation: the accuser's statement and the attributed act
    ("Albania blames Iran for July cyberattack", "", "en",
     [("ALB", "IRN", "112", "ASSERTED"), ("IRN", "ALB", "17", "ATTRIBUTED")]),
    # plans are not attacks that happened
    ("Report: Iran may be planning new cyber operations against Albania", "", "en",
     [("IRN", "ALB", "17", "HYPOTHETICAL")]),
    # joint acts are coded both ways
    ("Albania and Israel sign cybersecurity cooperation agreement", "", "en",
     [("ISR", "ALB", "057", "ASSERTED"), ("ALB", "ISR", "057", "ASSERTED")]),
    # Albanian, inflected names and genitive possessor
    ("Shqipëria dënon sulmin e Iranit ndaj Izraelit", "", "sq",
     [("ALB", "IRN", "111", "ASSERTED"), ("IRN", "ISR", "18", "ASSERTED")]),  # no topic word: assault
    # Hebrew prefix glued to the target (באיראן = in Iran)
    ("ישראל תקפה מטרות צבאיות באיראן", "", "he", [("ISR", "IRN", "195", "ASSERTED")]),
    # Persian, subject-object-verb
    ("اسرائیل تاسیسات هسته‌ای ایران را هدف قرار داد", "", "fa", [("ISR", "IRN", "195", "ASSERTED")]),
    # traps: Albany, a football match, ethnic Albanians, one state only
    ("Albany schools close after Iran-themed protest", "", "en", []),
    ("Israel beat Albania in Euro qualifier", "Israel attacked relentlessly and Albania defended in the qualifier.", "en", []),
    ("Albanians in Kosovo celebrate", "Thousands of Albanians gathered in Pristina.", "en", []),
    ("Iran's rial slides", "The Iranian currency fell in Tehran.", "en", []),
]


@pytest.mark.parametrize(("title", "body", "language", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_case(tagger: Tagger, title: str, body: str, language: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert triples(tagger.tag(article(title, body, language))) == expected


def test_language_detected_when_missing(tagger: Tagger) -> None:
    events = tagger.tag(article("ישראל תקפה מטרות צבאיות באיראן", language=None))
    assert [e["language"] for e in events] == ["he"]
