"""Lemmas of words: simplemma's dictionaries, and the morphology they miss.

A trigger listed once ("حمله", "dëboj", "שיגר") then matches its plurals, tenses and voices:
phrase matching compares a token's folded form *or* its lemma with each configured word, and
every configured word is indexed under its own lemma too (``rules.py``).

simplemma (dictionary lookups, no model) covers en, sq, fa and he. What it misses, handled here
with short affix lists, each tried only on a word the dictionary does not know and kept only
when what remains is a word it does know:

* Persian written without ZWNJ glues affixes to the word: plural ها/های, the indefinite or
  ezafe ی/ای, possessive ش/مان/شان ("حملههای", "کشورمان"), and the verb prefixes می/نمی
  ("میکند"). The light verbs of compound verbs keep their voice: کرد/کرده/میکند → کرد (active),
  شد/شده/میشود → شد (passive), where the dictionary maps شد to کرد.
* Hebrew glues the prefix letters ו ה ב ל מ ש כ to a word ("ושיגר", "הגינוי") and writes
  plurals and pronoun suffixes on it ("שיגורים", "הצהרתו"); a plural whose singular is not in
  the dictionary ("יירוטים") still loses its ים/ות, so it meets the singular listed in config.
* Albanian definite and case endings on words the dictionary lacks ("sanksioneve").

Lemmas are computed only for the sentences the prefilter lets through (``Tagger._analyse``),
once per distinct word (cached), so the cost does not grow with the news that is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import simplemma

from streams.tagging.normalize import TATWEEL, fold
from streams.tagging.sentences import Token

# Languages simplemma ships dictionaries for, among those the rules cover.
SUPPORTED = frozenset({"en", "sq", "fa", "he"})
CACHE_LIMIT = 100_000  # distinct (language, word) pairs kept; bounded memory on endless streams

# Persian light verbs (folded, no ZWNJ) → the lemma that keeps their voice.
_FA_LIGHT: dict[str, str] = {}
for _light, _forms in {
    "کرد": ("کرد", "کردند", "کرده", "کردهاند", "کردهاست", "کردم", "کردیم", "کند", "کنند", "میکند", "میکنند", "نکرد",
            "نکردند", "نکرده", "نمیکند", "کنیم", "میکنیم", "کردن", "کنید"),
    "شد": ("شد", "شدند", "شده", "شدهاند", "شدهاست", "شود", "شوند", "میشود", "میشوند", "نشد", "نشده", "نمیشود", "شدن"),
    "داد": ("داد", "دادند", "داده", "دادهاند", "دهد", "دهند", "میدهد", "میدهند", "نداد"),
    "گرفت": ("گرفت", "گرفتند", "گرفته", "گرفتهاند", "گیرد", "گیرند", "میگیرد", "میگیرند"),
    "زد": ("زد", "زدند", "زده", "زند", "میزند", "میزنند"),
}.items():
    for _form in _forms:
        _FA_LIGHT[_form] = _light
_FA_SUFFIXES = ("هایشان", "هایش", "هایی", "های", "ها", "اش", "شان", "مان", "ای", "ی", "ش")
_FA_VERB_PREFIXES = ("نمی", "می")
# Hebrew: plural and pronoun suffixes, longest first; a construct ending ת stands for ה.
_HE_SUFFIXES = ("ותיהם", "ותיו", "יהם", "יהן", "ותיו", "יו", "יה", "ים", "ות", "הם", "נו", "כם", "ו", "ה", "י")
_HE_PLURALS = ("ים", "ות")
_HE_PREFIXES = "ובלהמשכ"
_SQ_ENDINGS = ("eve", "ve", "ës", "ën", "it", "in", "et", "ët", "të", "në", "ja", "a", "i", "u", "e")


class Lemmatiser:
    """Folded lemma of a word in a language; ``apply`` fills the ``lemma`` of a sentence's tokens."""

    def __init__(self, languages: Iterable[str] = SUPPORTED) -> None:
        self.languages = frozenset(languages) & SUPPORTED
        self._cache: dict[tuple[str, str], str] = {}

    def lemma(self, word: str, lang: str) -> str:
        """The lemma of ``word`` (lower case) in ``lang``, folded like tokens; ``word`` folded if
        the language has no dictionary or the word no lemma."""
        key = (lang, word)
        found = self._cache.get(key)
        if found is not None:
            return found
        if lang not in self.languages:
            found = _folded(word)
        else:
            found = _folded(_lemma(word, lang))
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = found
        return found

    def of_written(self, word: str, lang: str) -> str:
        """The lemma of a word as written (a configured trigger word), folded like tokens."""
        return self.lemma(word.lower() if lang == "sq" else _folded(word.lower()), lang)

    def apply(self, tokens: Sequence[Token], lang: str) -> list[Token]:
        """The tokens with their lemmas (a token whose lemma is its own form is kept as it is)."""
        if lang not in self.languages:
            return list(tokens)
        lemma = self.lemma
        # Albanian: the dictionary has the diacritics (ë, ç) that folding drops.
        use_orig = lang == "sq"
        out = []
        for t in tokens:
            lem = lemma(t.orig.lower() if use_orig else t.norm, lang)
            out.append(t if lem == t.norm else t._replace(lemma=lem))
        return out


def _folded(word: str) -> str:
    folded = fold(word)
    return folded.replace(TATWEEL, "") if TATWEEL in folded else folded


def _known(word: str, lang: str) -> bool:
    return len(word) >= 2 and simplemma.is_known(word, lang=lang)


def _lemma(word: str, lang: str) -> str:
    if lang == "fa":
        return _persian(word)
    if lang == "he":
        return _hebrew(word)
    if _known(word, lang):
        return str(simplemma.lemmatize(word, lang=lang))
    if lang == "sq":
        for ending in _SQ_ENDINGS:
            rest = word[: -len(ending)]
            if word.endswith(ending) and len(rest) >= 4 and _known(rest, lang):
                return str(simplemma.lemmatize(rest, lang=lang))
    return word


def _persian(word: str) -> str:
    light = _FA_LIGHT.get(word)
    if light is not None:
        return light
    if _known(word, "fa"):
        return str(simplemma.lemmatize(word, lang="fa"))
    for prefix in _FA_VERB_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            rest = word[len(prefix):]
            if rest in _FA_LIGHT:
                return _FA_LIGHT[rest]
            if _known(rest, "fa"):
                return str(simplemma.lemmatize(rest, lang="fa"))
    for suffix in _FA_SUFFIXES:
        rest = word[: -len(suffix)]
        if word.endswith(suffix) and len(rest) >= 3 and _known(rest, "fa"):
            return str(simplemma.lemmatize(rest, lang="fa"))
    return word


def _hebrew_stem(word: str, plural_guess: bool) -> str | None:
    """Lemma of a word without prefix letters: the dictionary's, or with a suffix taken off;
    with ``plural_guess``, a plural ending taken off a word the dictionary lacks."""
    if _known(word, "he"):
        return str(simplemma.lemmatize(word, lang="he"))
    if word.endswith("ת") and _known(word[:-1] + "ה", "he"):  # construct state: מתקפת → מתקפה
        return str(simplemma.lemmatize(word[:-1] + "ה", lang="he"))
    for suffix in _HE_SUFFIXES:
        rest = word[: -len(suffix)]
        if word.endswith(suffix) and len(rest) >= 3:
            if _known(rest, "he"):
                return str(simplemma.lemmatize(rest, lang="he"))
            if rest.endswith("ת") and _known(rest[:-1] + "ה", "he"):  # הצהרתו → הצהרה
                return str(simplemma.lemmatize(rest[:-1] + "ה", lang="he"))
    if plural_guess:
        for suffix in _HE_PLURALS:  # a plural of a word the dictionary lacks: its singular
            rest = word[: -len(suffix)]
            if word.endswith(suffix) and len(rest) >= 4:
                return rest
    return None


def _hebrew(word: str) -> str:
    stem = _hebrew_stem(word, False)
    if stem is not None:
        return stem
    k = 0
    while k < 3 and len(word) - k > 3 and word[k] in _HE_PREFIXES:
        k += 1
        stem = _hebrew_stem(word[k:], False)
        if stem is not None:
            return stem
    return _hebrew_stem(word, True) or word
