"""Each named role rule on sentences of its construction: which rule decided, and the pair."""

from __future__ import annotations

from streams.tagging import Tagger
from streams.tagging.roles import RULES

from .conftest import article


def decided(tagger: Tagger, text: str, language: str = "en") -> list[tuple[str, str, str | None, str | None]]:
    """(trigger type, rule, source country, target country) per trigger of the article's sentences."""
    tagged = tagger.tag_article(article(text, language=language), explain=True)
    out = []
    for t in tagged.trace:
        for d in t.decisions:
            if d.roles is None:
                out.append((d.trigger.payload.name, d.rule, None, None))
            else:
                out.append((d.trigger.payload.name, d.rule, d.roles.source.actor.country, d.roles.target.actor.country))
    return out


def test_rules_are_named_documented_and_ordered() -> None:
    names = [r.__name__ for r in RULES]
    assert len(set(names)) == len(names)
    assert all(r.__doc__ and '"' in r.__doc__ for r in RULES)  # each names its construction with an example
    assert names[-1] == "subject_verb_object"  # the general rule is tried last


def test_subject_verb_object(tagger: Tagger) -> None:
    assert decided(tagger, "Albania expels Iranian diplomats") == [("expel", "subject_verb_object", "ALB", "IRN")]


def test_passive_blamed_on(tagger: Tagger) -> None:
    got = decided(tagger, "Albania reports cyberattacks blamed on Iran")
    assert ("accuse", "passive_blamed_on", None, None) in got


def test_agent_marker(tagger: Tagger) -> None:
    assert decided(tagger, "Albanian servers were hit by hackers linked to Iran") == [
        ("cyber_attack", "agent_marker", "IRN", "ALB")]


def test_noun_modifier(tagger: Tagger) -> None:
    got = decided(tagger, "Iran denies staging Albania cyberattack")
    assert ("cyber_attack", "noun_modifier", "IRN", "ALB") in got


def test_reaction_object_unnamed(tagger: Tagger) -> None:
    got = decided(tagger, "Albania condemned the attack on Israel")
    assert [g[:2] for g in got] == [("condemn", "subject_verb_object"), ("attack", "reaction_object_unnamed"),
                                     ("condemn", "aim_reactions")]


def test_accused_did_act(tagger: Tagger) -> None:
    got = decided(tagger, "Israel accused Iran of the cyberattack on its water systems")
    assert ("cyber_attack", "accused_did_act", "IRN", "ISR") in got


def test_coordinated_verb(tagger: Tagger) -> None:
    got = decided(tagger, "Albania blames Iran for the hack, expels its diplomats")
    assert got == [("accuse", "subject_verb_object", "ALB", "IRN"), ("cyber_attack", "accused_did_act", "IRN", "ALB"),
                   ("expel", "coordinated_verb", "ALB", "IRN")]


def test_genitive_possessor(tagger: Tagger) -> None:
    got = decided(tagger, "Shqipëria dënon sulmin e Iranit ndaj Izraelit", language="sq")
    assert ("attack", "genitive_possessor", "IRN", "ISR") in got


def test_postnominal_demonym(tagger: Tagger) -> None:
    got = decided(tagger, "Sulmi i hakerave iranianë goditi sistemet e Shqipërisë", language="sq")
    assert any(rule == "postnominal_demonym" and (s, t) == ("IRN", "ALB") for _, rule, s, t in got)


def test_verb_final_order(tagger: Tagger) -> None:
    got = decided(tagger, "اسرائیل تاسیسات ایران را هدف قرار داد", language="fa")
    assert got == [("air_strike", "verb_final_order", "ISR", "IRN")]


def test_inverse_undergoer(tagger: Tagger) -> None:
    got = decided(tagger, "Iran says Israel will face harsh punishment")
    assert any(rule == "inverse_undergoer" and (s, t) == ("IRN", "ISR") for _, rule, s, t in got)


def test_answered_act_unnamed(tagger: Tagger) -> None:
    got = decided(tagger, "Israel vowed retaliation for the assassination of an Iranian general")
    assert ("assassination", "answered_act_unnamed", None, None) in got


def test_why_nothing_was_coded(tagger: Tagger) -> None:
    tagged = tagger.tag_article(article("Iran and Albania", "Tirana and Tehran spoke about the weather."), explain=True)
    assert [n for t in tagged.trace for n in t.notes] == ["names two sides, but no trigger", "names two sides, but no trigger"]
