"""Evidence of scale: SCALE spans on material-conflict events, from config/scale.yaml."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.settings import load_settings
from streams.tagging import Tagger
from streams.tagging.scale import ScaleCues


def scale_words(event: dict) -> list[str]:
    sentence = event["evidence"]["sentence"]
    return [sentence[s["start"]:s["end"]] for s in event["evidence"]["spans"] if s["label"] == "SCALE"]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_settings(load_settings())


def article(title: str, language: str = "en") -> dict:
    return {"id": "t1", "source": "test", "url": None, "title": title, "body": "", "language": language,
            "published_at": datetime(2024, 10, 1, 18, tzinfo=UTC), "ingested_at": None}


def test_a_barrage_on_a_material_attack_is_marked(tagger: Tagger) -> None:
    events = tagger.tag(article("Iran fires a barrage of missiles at Israel"))
    assert [(e["cameo_code"], scale_words(e)) for e in events] == [("195", ["barrage"])]
    assert [s["label"] for s in events[0]["evidence"]["spans"]] == ["SOURCE", "TRIGGER", "SCALE", "TARGET"]


def test_a_plain_attack_and_a_threat_of_hundreds_of_missiles_are_not(tagger: Tagger) -> None:
    plain = tagger.tag(article("Iran fires missiles at Israel"))
    assert [(e["cameo_code"], scale_words(e)) for e in plain] == [("195", [])]
    cues = ScaleCues({"en": [r"\bhundreds of missiles\b"]})
    threat = {"quad_class": 3, "language": "en",
              "evidence": {"sentence": "Iran threatens Israel with hundreds of missiles", "spans": []}}
    cues.mark(threat)
    assert threat["evidence"]["spans"] == []


def test_numbers_of_weapons_and_other_languages() -> None:
    cues = ScaleCues.load(Path(load_settings().config_dir) / "scale.yaml")
    for language, sentence, words in [
        ("en", "Iran launched 180 ballistic missiles at Israel", ["180 ballistic missiles"]),
        ("en", "A nationwide outage followed the attack", ["nationwide outage"]),
        ("sq", "Irani lëshoi një breshëri raketash", ["breshëri"]),
        ("he", "איראן שיגרה מאות טילים", ["מאות טילים"]),
        ("fa", "صدها موشک به سوی اسرائیل شلیک شد", ["صدها موشک"]),
    ]:
        event = {"quad_class": 4, "language": language, "evidence": {"sentence": sentence, "spans": []}}
        cues.mark(event)
        assert scale_words(event) == words, sentence


def test_a_bad_pattern_or_shape_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "scale.yaml"
    path.write_text("patterns:\n  en: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"scale.yaml: `patterns.en`: not a list of regular expressions"):
        ScaleCues.load(path)
    path.write_text("patterns: [a, b]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"`patterns`: expected a mapping of language to a list of patterns"):
        ScaleCues.load(path)
    assert ScaleCues.load(tmp_path / "missing.yaml").every == []
