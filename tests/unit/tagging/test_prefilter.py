"""The relevance prefilter never drops what the full matcher would find.

The prefilter (``Gazetteer.prefilter``) decides in one set intersection whether an article may
name two relevant actors; only then is it folded, tokenized and matched phrase by phrase. These
tests hold it to that contract over every alias of ``config/actors.yaml`` in each language, with
the spellings news really uses (case, inflection, Persian and Hebrew letter variants, glued
Hebrew prefixes, odd whitespace), and check that its fast word split (UTF-8 bytes) sees exactly
the words ``str.split`` sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from streams.tagging import Tagger
from streams.tagging.gazetteer import _prepare, prepare
from streams.tagging.normalize import fold
from streams.tagging.sentences import tokenize

from .conftest import article

KINDS = ("names", "people", "metonyms", "demonyms", "stems")
HEBREW_PREFIXES = "בלוהמשכ"
# A name of another relevant state to pair each alias with (IRN aliases get Israel).
PARTNER = {"en": ("Iran", "Israel"), "sq": ("Irani", "Izraeli"), "fa": ("ایران", "اسرائیل"), "he": ("איראן", "ישראל")}
# Every character str.split() splits on, and the word-gluing ones the prefilter turns into spaces.
STR_SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
SEPARATORS = [" ", "\n", "\t", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2003", "\u200a", "\u2028", "\u2029", "\u202f",
              "\u205f", "\u3000", "\u200c", "\u200b", "\u200e", "-", "/", " , ", " (", ". "]


def _variants(form: str, lang: str, kind: str) -> Iterator[str]:
    """Spellings of one configured form that the full matcher reads as that form."""
    if kind == "stems":
        form += "ia"
    yield from (form, form.upper(), form.lower(), form.capitalize())
    if lang == "fa":
        yield form.replace("ی", "ي")  # Arabic yeh
        yield form.replace("ی", "ى")  # alef maksura
        yield form.replace("ک", "ك")  # Arabic kaf
        yield form.replace("\u200c", " ")
        yield form.replace(" ", "\u200c")  # ZWNJ where the config has a space
        yield form + "\u200cها"  # plural suffix after a ZWNJ
    if lang == "he":
        yield from (p + form for p in HEBREW_PREFIXES)
        yield from ("ו" + p + form for p in HEBREW_PREFIXES)  # two glued prefixes ("and in Iran")
    if lang == "sq" or kind == "stems":
        plain = form.replace("ë", "e").replace("Ë", "E")  # as typed without Albanian letters
        yield plain
        if kind == "stems":
            yield from (plain + suffix for suffix in ("t", "s", "n", "ne", "es", "në", "ës"))
    if lang == "en":
        yield from (form + "'s", form + "\u2019s", f'"{form}', form + ",", form + ".", form + "-backed", "pro-" + form)
        yield form.replace(" ", "\xa0")


def _cases(tagger: Tagger, actors: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(bucket, language, text) for each variant of each relevant alias, next to a partner."""
    gazetteer = tagger.gazetteer
    relevant = set(actors["watched"]) | set(actors.get("relevant_non_state") or [])
    for code, spec in actors["actors"].items():
        bucket = gazetteer.actors[code].bucket
        if bucket not in relevant and code not in relevant:
            continue
        for kind in KINDS:
            for lang, forms in (spec.get(kind) or {}).items():
                first, second = PARTNER.get(lang, PARTNER["en"])
                partner = second if bucket == "IRN" else first
                for form in forms:
                    for k, variant in enumerate(_variants(str(form), lang, kind)):
                        sep = SEPARATORS[k % len(SEPARATORS)]
                        yield bucket, lang, f"{variant}{sep}{partner}"
                        yield bucket, lang, f"{partner}{sep}{variant}"


def _full_match_buckets(tagger: Tagger, text: str) -> set[str]:
    """Buckets the full matcher (fold, tokenize, phrase index) finds in ``text``."""
    tokens = tokenize(fold(text), text)
    return {m.actor.bucket for m in tagger.gazetteer.mentions(tokens, text)}


@pytest.fixture(scope="module")
def actors_config() -> dict[str, Any]:
    from streams.settings import load_settings

    return dict(load_settings().actors)


def test_every_alias_variant_passes_the_prefilter(tagger: Tagger, actors_config: dict[str, Any]) -> None:
    missed = []
    checked = 0
    for bucket, lang, text in _cases(tagger, actors_config):
        found = _full_match_buckets(tagger, text)
        if len(found) < 2 or bucket not in found:
            continue  # the full matcher does not read it as two actors either
        checked += 1
        hits = tagger.gazetteer.prefilter.scan(text)
        if hits is None or not found <= hits.buckets:
            missed.append((lang, text))
    assert checked > 2000
    assert missed == []


def test_names_split_by_unusual_whitespace_are_coded(tagger: Tagger) -> None:
    # Whitespace that only str.split() knows still separates words for the prefilter.
    for sep in ("\u2003", "\u3000", "\x1c", "\x85", "\u2028"):
        assert tagger.tag(article(f"Israel{sep}strikes{sep}Iran", "")) != [], repr(sep)


PUNCTUATION = list("()[]{}\"'.,:;!?-/<>\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u2039\u203a\u2013\u2014\u2026\u00b7"
                   "\u05be\u05f3\u05f4\u060c\u061b\u061f\u06d4\u3001\u3002\uff08\uff09")


@pytest.mark.parametrize("sep", STR_SPACES + PUNCTUATION + ["\x00", "\u200c", "\u200d", "\u200b", "\u200f", "\u202e", "\ufeff"])
def test_fast_word_split_sees_the_full_matchers_words(sep: str) -> None:
    # The words the prefilter intersects with its anchors are the runs of word characters of
    # the (folded) text, the full matcher's tokens, whatever separates them.
    text = f"Iran{sep}Israel{sep}{sep}ي ك ى أ İstanbul Shqipëria{sep}x"
    lowered, encoded = _prepare(text)
    assert lowered == prepare(text)
    assert len(lowered) == len(text)
    assert [w.decode("utf-8") for w in encoded.split()] == re.findall(r"\w+", lowered)


def test_lone_surrogates_do_not_break_the_split() -> None:
    lowered, encoded = _prepare("Iran\ud800 Israel")
    assert len(lowered) == len("Iran\ud800 Israel")
    assert encoded.split()[-1] == b"israel"


KNOWN_GAPS = [
    "Israel (Iran)",  # a name in parentheses
    "Iran attacked (Albania)",
    "ایران ألبانی",  # alef with hamza
    "ישראל תקפה את שב״כ ואיראן",  # Hebrew gershayim (U+05F4) instead of a double quote
    "איראן תקפה את צה״ל",
    "איראן תקפה את בצה״ל",  # gershayim after a glued prefix
    'איראן תקפה את צה"ל',  # ASCII quote as gershayim
    "ישראל ועראקצ׳י",  # geresh (U+05F3)
    "ישראל ועראקצ'י",  # ASCII apostrophe as geresh
    "Iran and Eli\u2003Cohen",  # a many-word name split by an em space
    "Iran and Eli\u3000Cohen",
    "Iran and Eli\u202fCohen",
    "Iran and Eli\n  Cohen",
    'Iran and "Israel"',  # a quoted name
    "Irani dhe Shqipërit",  # an inflection not listed, written with ë: the stem is "shqiperi"
    "Irani dhe Shqipërinë.",
    "Irán e Israel",  # Latin letters with diacritics the config does not write
    "L'Iran et Israël",
    # Combining marks: the full matcher folds them to tatweel and drops them from its tokens.
    "Ira\u0301n attacked Israe\u0308l",  # accents typed apart (NFD)
    "ایرانِ به آلبانی حمله کرد",  # Persian ezafe kasra
    "ایــران و آلبانی",  # tatweel (kashida) inside a name
    "اِیران و آلبانی",  # a mark inside a word
    "איראן תקפה את יִשְׂרָאֵל",  # Hebrew niqqud
]
# Punctuation that real news puts around a name.
WRAPS = [("(", ")"), ("[", "]"), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ("\u201e", "\u201c"),
         ('"', '"'), ("'", "'"), ("", "."), ("", ","), ("", ":"), ("", ";"), ("", "'s"), ("", "\u2019s"), ("", "-backed"),
         ("pro-", ""), ("", "/"), ("", "\u2013"), ("", "\u2014"), ("(", "),"), ('("', '")'), ("", "..."), ("", "?!")]
NAMES = {"en": ("Iran", "Israel", "Albania", "IRGC", "IDF", "Eli Cohen"), "sq": ("Irani", "Izraeli", "Shqipëria"),
         "fa": ("ایران", "اسرائیل", "آلبانی", "ألبانی"), "he": ("איראן", "ישראל", 'צה"ל', "צה״ל", "שב״כ", "עראקצ׳י")}
PARTNERS = {"en": ("Iran", "Israel"), "sq": ("Irani", "Izraeli"), "fa": ("ایران", "اسرائیل"), "he": ("איראן", "ישראל")}


def _wrapped() -> Iterator[str]:
    for lang, names in NAMES.items():
        for name in names:
            for opener, closer in WRAPS:
                for partner in PARTNERS[lang]:
                    yield f"{partner} said {opener}{name}{closer} attacked"
                    yield f"{opener}{name}{closer} {partner}"


@pytest.mark.parametrize("text", KNOWN_GAPS)
def test_known_gaps(tagger: Tagger, text: str) -> None:
    found = _full_match_buckets(tagger, text)
    assert len(found) >= 2
    hits = tagger.gazetteer.prefilter.scan(text)
    assert hits is not None and found <= hits.buckets


def test_names_in_real_news_punctuation_pass_the_prefilter(tagger: Tagger) -> None:
    checked, missed = 0, []
    for text in _wrapped():
        found = _full_match_buckets(tagger, text)
        if len(found) < 2:
            continue
        checked += 1
        hits = tagger.gazetteer.prefilter.scan(text)
        if hits is None or not found <= hits.buckets:
            missed.append(text)
    assert checked > 500
    assert missed == []


@pytest.mark.parametrize("text", ["צה״ל", 'צה"ל', "צה''ל", "שב״כ", 'שב"כ', "בצה״ל", "עראקצ׳י", "עראקצ'י", "ألبانی", "آلبانی",
                                  "Shqipërit", "Irán", "(IRGC)", "Israel's", "Israel’s"])
def test_the_full_matcher_reads_every_spelling(tagger: Tagger, text: str) -> None:
    # Hebrew acronyms with gershayim (or the ASCII quote typed for it), Persian alef variants,
    # Albanian ë: the full matcher codes them like the configured spelling.
    assert _full_match_buckets(tagger, text)



# Still dropped: symbols (© → €) glued to a name do not split words.
REMAINING_GAPS = ["Iran\u00a9Israel", "Iran\u2192Israel"]


@pytest.mark.parametrize("text", REMAINING_GAPS)
@pytest.mark.xfail(strict=True, reason="symbols are not word separators for the prefilter")
def test_remaining_gaps(tagger: Tagger, text: str) -> None:
    assert len(_full_match_buckets(tagger, text)) >= 2
    assert tagger.gazetteer.prefilter.scan(text) is not None
