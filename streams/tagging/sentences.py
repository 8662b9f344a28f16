"""Sentence splitting and word tokens, both linear in the text length."""

from __future__ import annotations

import re
from typing import NamedTuple

from streams.tagging.normalize import TATWEEL

# A sentence ends at . ! ? ؟ (and closing quotes) before whitespace, or at a line break.
# Both branches open with a fixed character class, so the engine skips ahead between candidates
# (a branch that may open with whitespace would be tried at every position).
_BOUNDARY = re.compile(r"[.!?؟]+[\"'”’»)]*\s+|\n\s*")
_WORD = re.compile(r"\w+")
# Very long runs without a boundary are cut so one sentence stays a bounded unit of work.
MAX_SENTENCE_CHARS = 1500


class Token(NamedTuple):
    """One word: folded text (what rules match), original text, and its character span."""

    norm: str
    orig: str
    start: int
    end: int


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``, trimmed, never empty.

    A period followed by a lower-case letter ("U.S. officials", "Gen. x") does not end a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _BOUNDARY.finditer(text):
        nxt = m.end()
        if nxt < n and text[nxt].islower() and "\n" not in m.group():
            continue
        _add(spans, text, start, m.start() + len(m.group().rstrip()))
        start = nxt
    _add(spans, text, start, n)
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


def tokenize(folded: str, original: str) -> list[Token]:
    """Word tokens of a folded sentence with the original text of each (same offsets)."""
    out: list[Token] = []
    for m in _WORD.finditer(folded):
        norm = m.group()
        if TATWEEL in norm:
            norm = norm.replace(TATWEEL, "")
            if not norm:
                continue
        s, e = m.span()
        out.append(Token(norm, original[s:e], s, e))
    return out
