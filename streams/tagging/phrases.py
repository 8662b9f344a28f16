"""Word-sequence phrase matching shared by actor names and trigger phrases.

A phrase is a sequence of elements: an exact folded word, a word prefix (``expel*``), an exact
case-sensitive word (acronyms such as ``US``: the pronoun "us" is not the United States) or a
gap (``...``, up to :data:`MAX_GAP` words). Phrases are indexed by their first word, so
matching costs a dictionary lookup per token plus work bounded by the phrase lengths: linear in
the text, unlike a large regular-expression alternation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from streams.tagging.normalize import fold
from streams.tagging.sentences import Token

MAX_GAP = 3
_WORD = re.compile(r"\w+")

# Element kinds.
EXACT, PREFIX, CASED, GAP = "w", "p", "c", "g"

Element = tuple[str, str]


@dataclass(frozen=True)
class Match:
    """Tokens [first, last) matched a phrase carrying ``payload``."""

    first: int
    last: int
    payload: Any


def parse_phrase(text: str, cased: bool = False) -> tuple[Element, ...]:
    """Elements of one phrase written in the config syntax (see ``config/events.yaml``)."""
    out: list[Element] = []
    for word in str(text).split():
        if word == "...":
            out.append((GAP, ""))
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
        found = list(self._exact.get(word, ()))
        for n in self._prefix_lengths:
            if n > len(word):
                break
            found.extend(self._prefix.get(word[:n], ()))
        return found

    def match_at(self, tokens: Sequence[Token], i: int) -> Match | None:
        """The longest phrase starting at token ``i`` (glued one-letter prefixes tried too)."""
        best: Match | None = None
        word = tokens[i].norm
        variants = [(word, None)]
        if self._glued:
            k = 0
            while k < 2 and len(word) - k > 2 and word[k] in self._glued:
                k += 1
                variants.append((word[k:], word[k:]))
        for variant, stripped in variants:
            for elements, payload in self._candidates(variant):
                first_kind, first_word = elements[0]
                if first_kind == CASED and (stripped is not None or tokens[i].orig != first_word):
                    continue
                end = _match_rest(elements, 1, tokens, i + 1)
                if end is not None and (best is None or end > best.last):
                    best = Match(i, end, payload)
        return best

    def find_all(self, tokens: Sequence[Token]) -> list[Match]:
        """Non-overlapping matches, left to right, longest at each position."""
        out: list[Match] = []
        exact = self._exact
        heads = self._prefix_heads
        glued = self._glued
        i = 0
        n = len(tokens)
        while i < n:
            word = tokens[i].norm
            # Cheap rejection first: most words start no phrase at all.
            if word not in exact and word[:3] not in heads and not (glued and word[:1] in glued):
                i += 1
                continue
            m = self.match_at(tokens, i)
            if m is None:
                i += 1
            else:
                out.append(m)
                i = m.last
        return out


def _word_ok(element: Element, token: Token) -> bool:
    kind, word = element
    if kind == EXACT:
        return token.norm == word
    if kind == PREFIX:
        return token.norm.startswith(word)
    return token.orig == word


def _match_rest(elements: tuple[Element, ...], e: int, tokens: Sequence[Token], t: int) -> int | None:
    """End token index if ``elements[e:]`` match from token ``t`` (gaps tried shortest first)."""
    n = len(tokens)
    while e < len(elements):
        if elements[e][0] == GAP:
            for skip in range(0, MAX_GAP + 1):
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
