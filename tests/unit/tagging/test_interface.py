"""The Tagger contract: record shape, determinism, Avro validity, errors."""

from __future__ import annotations

import pytest

from streams.codec import default_registry
from streams.errors import TaggingError
from streams.tagging import Tagger

from .conftest import WHEN, article

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
