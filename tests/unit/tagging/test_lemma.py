"""Lemmas (simplemma plus the affixes it misses) and the Hebrew and backer rules built on them."""

from __future__ import annotations

import pytest

from streams.tagging import Tagger
from streams.tagging.lemma import Lemmatiser
from streams.tagging.normalize import fold
from streams.tagging.sentences import tokenize

from .conftest import article, triples

LEMMAS = Lemmatiser()


@pytest.mark.parametrize(("word", "lang", "lemma"), [
    ("dëboi", "sq", "deboj"),  # Albanian past tense → infinitive (folded: ë → e)
    ("sanksionet", "sq", "sanksion"),  # definite plural
    ("حملات", "fa", "حمله"),  # Arabic broken plural, from the dictionary
    ("حملههای", "fa", "حمله"),  # plural ها + ezafe ی glued on without ZWNJ
    ("کشورمان", "fa", "کشور"),  # possessive suffix
    ("میکنند", "fa", "کرد"),  # light verb with its present prefix glued on
    ("شده", "fa", "شد"),  # the passive light verb keeps its voice (the dictionary says کرد)
    ("שיגורים", "he", "שיגר"),  # plural noun of a verb in the dictionary
    ("ושיגר", "he", "שיגר"),  # glued "and"
    ("והתקיפות", "he", "תקיפה"),  # glued "and" + article, plural
    ("יירוטים", "he", "יירוט"),  # plural of a noun the dictionary lacks
    ("unknownword", "fa", "unknownword"),
])
def test_lemma(word: str, lang: str, lemma: str) -> None:
    assert LEMMAS.of_written(word, lang) == lemma


def test_languages_without_lemmas_keep_tokens() -> None:
    tokens = tokenize(fold("Albania expelled diplomats"), "Albania expelled diplomats")
    assert Lemmatiser({"fa"}).apply(tokens, "en") == tokens
    assert [t.lemma for t in tokens] == ["albania", "expelled", "diplomats"]


def test_apply_fills_lemmas_and_keeps_spans() -> None:
    text = "Shqipëria dëboi sanksionet"
    tokens = LEMMAS.apply(tokenize(fold(text), text), "sq")
    assert [(t.norm, t.lemma, t.start, t.end) for t in tokens] == [
        ("shqiperia", "shqiperi", 0, 9), ("deboi", "deboj", 10, 15), ("sanksionet", "sanksion", 16, 26)]


CASES = [
    # a trigger listed as one form matches another form of the same lemma ("sulmoj" is not listed)
    ("Irani sulmoi Izraelin me raketa", "sq", [("IRN", "ISR", "19", "ASSERTED")]),
    # Persian plural written without ZWNJ: "حملههای موشکی" is a form of the listed "حمله موشکی"
    ("اسرائیل حملههای موشکی به ایران انجام داد", "fa", [("ISR", "IRN", "195", "ASSERTED")]),
    # Hebrew launches "from Iran": the glued מ makes Iran the agent; "the centre of the country" is Israel
    ("אזעקות נשמעו במרכז הארץ בעקבות שיגורים מאיראן", "he", [("IRN", "ISR", "195", "ASSERTED")]),
    ("טיל בליסטי שוגר הבוקר מאיראן לעבר שטח מדינת ישראל", "he", [("IRN", "ISR", "195", "ASSERTED")]),
    ("מטח טילים נוסף מאיראן הפעיל אזעקות ברחבי הארץ", "he", [("IRN", "ISR", "195", "ASSERTED")]),
    # an interception is Israel's act against whoever launched
    ("מטוסי חיל האוויר יירטו כטב\"מים איראניים בדרכם לישראל", "he", [("ISR", "IRN", "195", "ASSERTED")]),
    # a backer of another actor takes no part in its acts; with no one before it, it acts
    ("החות'ים, הנתמכים על ידי איראן, שיגרו טיל לעבר ישראל", "he", [("YEM", "ISR", "195", "ASSERTED")]),
    ("Hezbollah, backed by Iran, attacked Israel", "en", []),
    ("Hackers backed by Iran attacked Albania", "en", [("IRN", "ALB", "17", "ASSERTED")]),
]


@pytest.mark.parametrize(("title", "language", "expected"), CASES)
def test_case(tagger: Tagger, title: str, language: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert triples(tagger.tag(article(title, "", language))) == expected
