"""The Tagger contract: record shape, determinism, Avro validity, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.codec import default_registry
from streams.errors import TaggingError
from streams.tagging import Tagger
from streams.tagging.coder import event_time_of

from .conftest import WHEN, article, triples

FIELDS = ["event_id", "article_id", "origin", "event_time", "source", "target", "dyad", "cameo_code", "quad_class",
          "goldstein", "context", "modality", "confidence", "evidence", "language", "num_sources", "ruleset_version",
          "outlet", "url", "truncated"]


def test_whole_record_for_an_expulsion(tagger: Tagger) -> None:
    events = tagger.tag(article("Albania expels Iranian diplomats"))
    assert len(events) == 1
    ev = events[0]
    assert list(ev) == FIELDS
    assert {k: v for k, v in ev.items() if k not in ("event_id", "ruleset_version", "confidence")} == {
        "article_id": "a1",
        "origin": "TEXT",
        "event_time": WHEN,
        "source": {"code": "ALB", "country": "ALB", "role": "GOV", "name": "Albania"},
        "target": {"code": "IRN", "country": "IRN", "role": "GOV", "name": "Iranian"},
        "dyad": "ALB-IRN",
        "cameo_code": "161",
        "quad_class": 4,
        "goldstein": -4.0,
        "context": "DIPLOMATIC",
        "modality": "ASSERTED",
        "evidence": {"sentence": "Albania expels Iranian diplomats", "spans": [
            {"start": 0, "end": 7, "label": "SOURCE"},
            {"start": 8, "end": 14, "label": "TRIGGER"},
            {"start": 15, "end": 22, "label": "TARGET"},
        ]},
        "language": "en",
        "num_sources": 1,
        "outlet": "test-outlet",
        "url": "https://example.org/a1",
        "truncated": False,
    }
    assert ev["ruleset_version"] == tagger.ruleset_version
    assert len(ev["event_id"]) == 16
    default_registry().encode("TaggedEvent", ev)


def test_deterministic(tagger: Tagger) -> None:
    a = article("Iran fires ballistic missiles at Israel", "Israel struck military sites in Iran.")
    assert tagger.tag(a) == tagger.tag(dict(a))


def test_no_time_is_an_error(tagger: Tagger) -> None:
    with pytest.raises(TaggingError, match="article a1 has no published_at or ingested_at"):
        tagger.tag(article("Albania expels Iranian diplomats", published_at=None))


def test_ingested_at_is_the_fallback_time(tagger: Tagger) -> None:
    events = tagger.tag(article("Albania expels Iranian diplomats", published_at=None, ingested_at=WHEN))
    assert [e["event_time"] for e in events] == [WHEN]


def test_ruleset_version_shape(tagger: Tagger) -> None:
    assert tagger.ruleset_version.startswith("actors:") and "+events:" in tagger.ruleset_version
    assert len(tagger.ruleset_version) == len("actors:12345678+events:12345678")


def test_undated_article_takes_the_default_time(tagger: Tagger) -> None:
    fallback = datetime(2025, 6, 20, 12, tzinfo=UTC)
    tagged = tagger.tag_article(article("Albania expels Iranian diplomats", published_at=None), fallback)
    assert (tagged.time_basis, [e["event_time"] for e in tagged.events]) == ("default", [fallback])


def test_time_basis_prefers_published_then_ingested(tagger: Tagger) -> None:
    later = datetime(2025, 1, 1, tzinfo=UTC)
    assert event_time_of(article("x", ingested_at=later), later) == (WHEN, "published_at")
    assert event_time_of(article("x", published_at=None, ingested_at=later), None) == (later, "ingested_at")


def test_untitled_article_is_coded_from_its_body(tagger: Tagger) -> None:
    events = tagger.tag(article("", "Albania expelled two Iranian diplomats on Tuesday."))
    assert triples(events) == [("ALB", "IRN", "161", "ASSERTED")]
    assert events[0]["evidence"]["sentence"] == "Albania expelled two Iranian diplomats on Tuesday."


def test_headline_retelling_the_lede_is_one_event(tagger: Tagger) -> None:
    events = tagger.tag(article("Albania expels Iranian diplomats",
                                "Albania ordered two Iranian diplomats to leave the country within a day."))
    assert [(e["source"]["code"], e["target"]["code"], e["quad_class"]) for e in events] == [("ALB", "IRN", 4)]
    assert events[0]["evidence"]["sentence"].startswith("Albania ordered")


def test_unsupported_language_is_reported_not_parsed(tagger: Tagger) -> None:
    tagged = tagger.tag_article(article("", "Selon le ministre, les relations entre Albania et Iran sont rompues "
                                        "depuis hier soir, après une longue crise diplomatique.", language=None))
    assert (tagged.language, tagged.supported, tagged.events) == ("fr", False, [])
    quiet = tagger.tag_article(article("Le temps de demain", "Il pleuvra sur la côte.", language=None))
    assert (quiet.language, quiet.supported) == ("", True)


def test_detected_language_of_an_unlabelled_article(tagger: Tagger) -> None:
    tagged = tagger.tag_article(article("Shqipëria dëbon diplomatët iranianë",
                                        "Qeveria shqiptare urdhëroi dy diplomatë të Iranit të largohen nga vendi.",
                                        language=None))
    assert (tagged.language, tagged.supported) == ("sq", True)
    assert [(e["source"]["code"], e["target"]["code"]) for e in tagged.events] == [("ALB", "IRN")]


def test_a_label_the_rules_do_not_cover_is_checked_against_the_text(tagger: Tagger) -> None:
    tagged = tagger.tag_article(article("Albania expels Iranian diplomats",
                                        "The government in Tirana ordered the envoys of Iran to leave.", language="xx"))
    assert (tagged.language, tagged.supported, len(tagged.events)) == ("en", True, 1)
    assert tagged.events[0]["language"] == "en"
