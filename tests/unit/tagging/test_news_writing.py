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


def test_trigger_inside_a_forum_name_does_not_fire(tagger: Tagger) -> None:
    assert tagger.tag(article("Albania hosts the South-East European Cooperation Process ministerial with Israel")) == []
    assert tagger.tag(article("Shqipëria pret Forumin e Bashkëpunimit Rajonal me Izraelin", language="sq")) == []


def test_trigger_outside_a_name_still_fires(tagger: Tagger) -> None:
    # Title case without a forum's head word, and an operation's name, keep their acts.
    assert triples(tagger.tag(article("Albania Signs Cooperation Agreement With Israel"))) == [
        ("ALB", "ISR", "057", "ASSERTED"), ("ISR", "ALB", "057", "ASSERTED")]
    assert triples(tagger.tag(article("Iran fired missiles at Israel in Operation True Promise"))) == [
        ("IRN", "ISR", "195", "ASSERTED")]


def test_match_report_tells_the_game_in_words_of_war(tagger: Tagger) -> None:
    body = "Albania attacked relentlessly against Israel from the start. Albania struck twice against Israel."
    assert tagger.tag(article("Albania beat Israel in Nations League qualifier", body)) == []
    # The half of a match is a sports word in the sentence itself.
    assert tagger.tag(article("Albania pressed hard", "Albania attacked Israel in the second half.")) == []


def test_war_story_keeps_its_acts(tagger: Tagger) -> None:
    got = tagger.tag(article("Iran strikes Israel", "Iran struck Israel with missiles overnight."))
    assert triples(got) == [("IRN", "ISR", "195", "ASSERTED")]


def test_trade_war_and_cyber_weapons_name_no_act(tagger: Tagger) -> None:
    assert tagger.tag(article("Albania and Israel locked in a trade war")) == []
    assert tagger.tag(article("Review: the Israeli firm's cyber weapons outperform Iranian rivals")) == []


def test_breach_of_an_agreement_is_no_cyber_act(tagger: Tagger) -> None:
    got = tagger.tag(article("Israel accused Iran of a breach of the arms embargo rules"))
    assert all(not e["cameo_code"].startswith("17") for e in got)


def test_breach_among_networks_is_a_cyber_act(tagger: Tagger) -> None:
    assert triples(tagger.tag(article("Iran breached Albanian systems"))) == [("IRN", "ALB", "17", "ASSERTED")]
    assert triples(tagger.tag(article("Iranian hackers breached Albanian government networks"))) == [
        ("IRN", "ALB", "17", "ASSERTED")]
