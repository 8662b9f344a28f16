"""How news is written: question headlines, names holding trigger words, figurative and sports
language, and breaches that are no intrusion."""

from __future__ import annotations

from streams.tagging import Tagger

from .conftest import article, triples


def test_question_headline_is_not_asserted(tagger: Tagger) -> None:
    assert triples(tagger.tag(article("Will Iran strike Israel?"))) == [("IRN", "ISR", "195", "HYPOTHETICAL")]
    assert triples(tagger.tag(article("Will Iran strike Israel before the talks?”"))) == [
        ("IRN", "ISR", "195", "HYPOTHETICAL")]


def test_question_headline_in_persian_and_albanian(tagger: Tagger) -> None:
    fa = tagger.tag(article("آیا ایران به اسرائیل حمله موشکی خواهد کرد؟", language="fa"))
    assert [e["modality"] for e in fa] == ["HYPOTHETICAL"]
    sq = tagger.tag(article("Izraeli do të bombardojë Iranin?", language="sq"))
    assert [e["modality"] for e in sq] == ["HYPOTHETICAL"]


def test_question_headline_does_not_reach_the_body(tagger: Tagger) -> None:
    got = tagger.tag(article("Is the region heading for war?", "Iran struck Israel with missiles on Sunday."))
    assert triples(got) == [("IRN", "ISR", "195", "ASSERTED")]
