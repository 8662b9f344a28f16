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


def codes(tagger: Tagger, title: str, body: str = "") -> list[tuple[str | None, str | None, str]]:
    return [(e["source"]["country"], e["target"]["country"], e["cameo_code"]) for e in tagger.tag(article(title, body))]


def test_a_place_used_as_a_base_is_no_actor(tagger: Tagger) -> None:
    # The group acts from the country; the country does nothing to the target.
    assert codes(tagger, "Officials say the militants use Albania as a base to launch cyber operations against Iran") == []


def test_a_possessor_far_from_the_act_is_no_subject(tagger: Tagger) -> None:
    # Israel's conduct is the object of "called"; the support is the speaker's, not Israel's.
    got = codes(tagger, "Tirana called Israel's conduct a grave violation of norms in the region and restated its "
                        "full support for Iran")
    assert ("ISR", "IRN", "051") not in got


def test_a_possessor_near_the_act_still_acts(tagger: Tagger) -> None:
    assert ("IRN", "ISR", "19") in {c[:3] for c in codes(tagger, "Albania condemned Iran's nuclear plans and its "
                                                                 "latest attacks on Israeli cities")}


def test_a_participle_clause_keeps_its_own_agent(tagger: Tagger) -> None:
    assert codes(tagger, "Albania is among the firmest supporters of Israel in Europe, drawing open anger from Tehran") == [
        ("ALB", "ISR", "051")]


def test_a_background_clause_lends_no_actor_to_the_main_clause(tagger: Tagger) -> None:
    assert codes(tagger, "As Albania counts the damage, several analysts warn that Iran's hacking campaign has only begun") \
        == []


def test_an_act_given_as_a_result_names_no_actor(tagger: Tagger) -> None:
    assert codes(tagger, "Albania cut ties with Iran last year, the first break of its kind resulting from a cyberattack") \
        == [("ALB", "IRN", "161")]


def test_a_reason_does_not_reverse_the_sanction(tagger: Tagger) -> None:
    got = codes(tagger, "Albania blames Iran for the cyberattack",
                "The United States imposed sanctions on Iran's Ministry of Intelligence and its minister Esmail Khatib "
                "for their part in the cyberattack.")
    assert got == [("ALB", "IRN", "112"), ("IRN", "ALB", "17"), ("USA", "IRN", "163")]


def test_a_dash_ends_an_agent_phrase(tagger: Tagger) -> None:
    got = codes(tagger, "Experts say Iran's cyber war is far from over — and that Albania's choices keep it in the line "
                        "of fire")
    assert not [c for c in got if c[0] == "ALB"]


def test_possessor_decision(tagger: Tagger) -> None:
    assert decided(tagger, "Tehran protests against Albania's decision to expel three Iranian envoys") == [
        ("expel", "possessor_decision", "ALB", "IRN")]


def test_urged_party_acts(tagger: Tagger) -> None:
    got = decided(tagger, "Albania called on Iran to halt its attacks on Israel")
    assert ("attack", "urged_party_acts", "IRN", "ISR") in got


def test_a_conviction_for_spying_is_aimed_at_the_state_spied_for(tagger: Tagger) -> None:
    assert codes(tagger, "Iran hangs an engineer it convicted of spying for Israel") == [("IRN", "ISR", "173")]


def test_done_in_act_shortened_passive_headline(tagger: Tagger) -> None:
    assert decided(tagger, "Iranian facility bombed in Israeli airstrike") == [
        ("air_strike", "done_in_act", "ISR", "IRN"), ("air_strike", "done_in_act", "ISR", "IRN")]
    assert decided(tagger, "Albanian servers wiped during an Iranian cyberattack") == [
        ("cyber_wipe", "done_in_act", "IRN", "ALB"), ("cyber_attack", "done_in_act", "IRN", "ALB")]


def test_done_in_act_needs_the_modifier_right_before_the_act(tagger: Tagger) -> None:
    # The actor after "in" is a place here, not an act's modifier: the subject acts.
    assert decided(tagger, "Iran struck targets in Israel") == [("air_strike", "subject_verb_object", "IRN", "ISR")]
    # A bare state name modifying the act is what was hit, not who did it.
    assert decided(tagger, "Iran denies involvement in Albania cyberattack") == [
        ("cyber_attack", "subject_verb_object", "IRN", "ALB")]
