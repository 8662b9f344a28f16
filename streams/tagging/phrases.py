"""Word-sequence phrase matching shared by actor names and trigger phrases.

A phrase is a sequence of elements: an exact folded word, a word prefix (``expel*``), an exact
case-sensitive word (acronyms such as ``US``: the pronoun "us" is not the United States) or a
gap (``...``, up to :data:`MAX_GAP` words; ``...6``, up to 6, for verb-final languages where
the object sits between the parts of a phrase). Phrases are indexed by their first word, so
matching costs a dictionary lookup per token plus work bounded by the phrase lengths: linear in
the text, unlike a large regular-expression alternation.

A word matches a token by its folded form or by its lemma (``Token.lemma``, filled by
``lemma.py`` for the sentences that are analysed): with each phrase also indexed under the
lemmas of its words (``Rules``), "حمله" listed once matches "حملات", "dëbo*" matches "dëbuan".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from streams.tagging.normalize import fold
from streams.tagging.sentences import Token

MAX_GAP = 3
LONGEST_GAP = 8  # the most words a "...N" gap may span (work per candidate stays bounded)
_WORD = re.compile(r"\w+")

# Element kinds.
EXACT, PREFIX, CASED, GAP = "w", "p", "c", "g"

Element = tuple[str, str]


class Match(NamedTuple):
    """Tokens [first, last) matched a phrase carrying ``payload``."""

    first: int
    last: int
    payload: Any
    glued: str = ""  # the one-letter prefixes taken off the first word (Hebrew "מ" of "מאיראן")


def parse_phrase(text: str, cased: bool = False) -> tuple[Element, ...]:
    """Elements of one phrase written in the config syntax (see ``config/events.yaml``)."""
    out: list[Element] = []
    for word in str(text).split():
        if word.startswith("...") and (word == "..." or word[3:].isdigit()):
            if word[3:] and not 1 <= int(word[3:]) <= LONGEST_GAP:
                return ()  # unusable: the caller names the phrase
            out.append((GAP, word[3:]))  # "": MAX_GAP words
            continue
        star = word.endswith("*")
        raw = word.rstrip("*")
        folded = fold(raw)
        pieces = [(m.group().replace("\u0640", ""), raw[m.start():m.end()]) for m in _WORD.finditer(folded)]
        for k, (norm, orig) in enumerate(pieces):
            if star and k == len(pieces) - 1:
                out.append((PREFIX, norm))
            elif cased:
                out.append((CASED, orig))
            else:
                out.append((EXACT, norm))
    while out and out[-1][0] == GAP:
        out.pop()
    while out and out[0][0] == GAP:
        out.pop(0)
    return tuple(out)


class PhraseIndex:
    """Phrases by first word; finds the longest phrase starting at each token."""

    def __init__(self, glued_prefixes: str = "") -> None:
        self._exact: dict[str, list[tuple[tuple[Element, ...], Any]]] = {}
        self._prefix: dict[str, list[tuple[tuple[Element, ...], Any]]] = {}
        self._prefix_lengths: list[int] = []
        self._prefix_heads: set[str] = set()  # first three letters of every prefix phrase
        self._glued = glued_prefixes
        self._cache: dict[str, list[tuple[tuple[Element, ...], Any]]] = {}
        self._expanded_cache: dict[str, list[tuple[tuple[Element, ...], Any, str | None, str]]] = {}

    def add(self, elements: tuple[Element, ...], payload: Any) -> None:
        """Index one parsed phrase (empty phrases are ignored)."""
        if not elements:
            return
        kind, word = elements[0]
        if kind == PREFIX:
            self._prefix.setdefault(word, []).append((elements, payload))
            self._prefix_heads.add(word[:3])
            if len(word) not in self._prefix_lengths:
                self._prefix_lengths.append(len(word))
                self._prefix_lengths.sort()
        else:
            key = fold(word) if kind == CASED else word
            self._exact.setdefault(key, []).append((elements, payload))

    def _candidates(self, word: str) -> list[tuple[tuple[Element, ...], Any]]:
        found = self._cache.get(word)
        if found is not None:
            return found
        found = list(self._exact.get(word, ()))
        for n in self._prefix_lengths:
            if n > len(word):
                break
            found.extend(self._prefix.get(word[:n], ()))
        if len(self._cache) > 50_000:  # bounded memory on endless streams; results do not depend on it
            self._cache.clear()
        self._cache[word] = found
        return found

    def may_start(self, word: str) -> bool:
        """Cheap test: can a phrase start at a token spelled ``word`` (a glued prefix stripped too)?"""
        if word in self._exact or word[:3] in self._prefix_heads:
            return True
        glued = self._glued
        if glued and word[:1] in glued:
            rest = word[1:]
            if rest in self._exact or rest[:3] in self._prefix_heads:
                return True
            if rest[:1] in glued:
                rest = rest[1:]
                return rest in self._exact or rest[:3] in self._prefix_heads
        return False

    def _expanded(self, word: str) -> list[tuple[tuple[Element, ...], Any, str | None, str]]:
        """Phrases that may start at a token spelled ``word`` (glued one-letter prefixes
        stripped too), each with the original spelling its first word needs (acronyms), in
        the order :meth:`match_at` tries them, and the prefix letters taken off. Cached: a
        word's list never changes."""
        found = self._expanded_cache.get(word)
        if found is not None:
            return found
        variants: list[tuple[str, str]] = [(word, "")]
        if self._glued:
            k = 0
            while k < 2 and len(word) - k > 2 and word[k] in self._glued:
                k += 1
                variants.append((word[k:], word[:k]))
        found = []
        for variant, stripped in variants:
            for elements, payload in self._candidates(variant):
                first_kind, first_word = elements[0]
                if first_kind == CASED:
                    if stripped:
                        continue  # an acronym is never written with a glued prefix
                    found.append((elements, payload, first_word, ""))
                else:
                    found.append((elements, payload, None, stripped))
        if len(self._expanded_cache) > 50_000:  # bounded memory, as in _candidates
            self._expanded_cache.clear()
        self._expanded_cache[word] = found
        return found

    def match_at(self, tokens: Sequence[Token], i: int) -> Match | None:
        """The longest phrase starting at token ``i`` (glued one-letter prefixes tried too)."""
        best_end = -1
        best_payload: Any = None
        best_glued = ""
        token = tokens[i]
        candidates = self._expanded(token.norm)
        if token.lemma != token.norm:
            candidates = candidates + [c for c in self._expanded(token.lemma) if c[3] == ""]
        for elements, payload, orig, glued in candidates:
            if orig is not None and token.orig != orig:
                continue
            end = i + 1 if len(elements) == 1 else _match_rest(elements, 1, tokens, i + 1)
            if end is not None and end > best_end:
                best_end, best_payload, best_glued = end, payload, glued
        return Match(i, best_end, best_payload, best_glued) if best_end >= 0 else None

    def find_all(self, tokens: Sequence[Token], starts: Sequence[int] | None = None) -> list[Match]:
        """Non-overlapping matches, left to right, longest at each position.

        ``starts``: the token positions where a phrase may start, when a :class:`Scanner` has
        found them for several indexes in one pass; else every token is tested here.
        """
        if starts is None:
            may = self.may_start
            starts = [i for i, t in enumerate(tokens) if may(t.norm) or (t.lemma != t.norm and may(t.lemma))]
        out: list[Match] = []
        last = 0
        for i in starts:
            if i < last:
                continue
            m = self.match_at(tokens, i)
            if m is not None:
                out.append(m)
                last = m.last
        return out


class Scanner:
    """Where phrases of several indexes may start, found in one pass over the tokens.

    Each index is then matched only at its own candidate positions, so adding cue lists or
    topic words costs a dictionary entry, not another pass over every sentence.
    """

    def __init__(self, indexes: Sequence[PhraseIndex]) -> None:
        self.indexes = list(indexes)
        self._memo: dict[str, tuple[int, ...]] = {}

    def starts(self, tokens: Sequence[Token]) -> list[list[int]]:
        """For each index (in order), the token positions where one of its phrases may start."""
        out: list[list[int]] = [[] for _ in self.indexes]
        memo = self._memo
        for i, tok in enumerate(tokens):
            ids = memo.get(tok.norm)
            if ids is None:
                ids = self._ids(tok.norm)
            if tok.lemma != tok.norm:
                more = memo.get(tok.lemma)
                if more is None:
                    more = self._ids(tok.lemma)
                if more:
                    ids = tuple(sorted(set(ids) | set(more)))
            for k in ids:
                out[k].append(i)
        return out


    def _ids(self, word: str) -> tuple[int, ...]:
        ids = tuple(k for k, index in enumerate(self.indexes) if index.may_start(word))
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[word] = ids
        return ids


def _word_ok(element: Element, token: Token) -> bool:
    kind, word = element
    if kind == EXACT:
        return token.norm == word or token.lemma == word
    if kind == PREFIX:
        return token.norm.startswith(word) or token.lemma.startswith(word)
    return token.orig == word


def _match_rest(elements: tuple[Element, ...], e: int, tokens: Sequence[Token], t: int) -> int | None:
    """End token index if ``elements[e:]`` match from token ``t`` (gaps tried shortest first)."""
    n = len(tokens)
    while e < len(elements):
        if elements[e][0] == GAP:
            for skip in range(0, (int(elements[e][1]) if elements[e][1] else MAX_GAP) + 1):
                if t + skip >= n:
                    return None
                end = _match_rest(elements, e + 1, tokens, t + skip)
                if end is not None:
                    return end
            return None
        if t >= n or not _word_ok(elements[e], tokens[t]):
            return None
        e += 1
        t += 1
    return t
