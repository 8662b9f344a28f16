"""Sentence splitting and word tokens, both linear in the text length."""

from __future__ import annotations

import re
from typing import NamedTuple

from streams.tagging.normalize import TATWEEL

# A sentence ends at . ! ? ؟ (and closing quotes) before whitespace, or at a line break. One
# pattern finds each such run whole (the mark, more marks and closing quotes as group 1, the
# whitespace after); it opens with a character class, so the engine skips ahead between
# candidates, and "3.5" or "U.S" (no space after the mark) never match: the loop below sees only
# real candidates. The run's end is where the next sentence starts.
_RUN = re.compile(r"[.!?؟\n](?:(?<=\n)\s*|([.!?؟]*[\"'”’»)]*)\s+)")
_WORD = re.compile(r"\w+")
# Very long runs without a boundary are cut so one sentence stays a bounded unit of work.
MAX_SENTENCE_CHARS = 1500


class Token(NamedTuple):
    """One word: folded text (what rules match), original text, its character span, and its
    folded lemma (``lemma.py``; the folded text itself until a lemmatiser fills it in)."""

    norm: str
    orig: str
    start: int
    end: int
    lemma: str



def split_sentences(text: str, upto: int | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``, trimmed, never empty.

    A period followed by a lower-case letter ("U.S. officials", "Gen. x") does not end a sentence.
    With ``upto``, stops after the sentence holding that offset: the spans returned are the
    first ones of the whole split (a boundary depends only on the text around it), and callers
    that need only some sentences skip the rest of a long article.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _RUN.finditer(text):
        if upto is not None and start > upto:
            return spans
        nxt = m.end()
        end = m.end(1)
        if end < 0:  # a line break: always a boundary
            end = m.start()
        elif nxt < n and text[nxt].islower() and "\n" not in text[end:nxt]:
            continue
        if start < end <= start + MAX_SENTENCE_CHARS and not text[start].isspace() and not text[end - 1].isspace():
            spans.append((start, end))  # the usual case, without _add's checks
        else:
            _add(spans, text, start, end)
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
    new = tuple.__new__  # Token(...) runs a Python-level __new__; the tuple constructor is C
    if TATWEEL not in folded:
        return [new(Token, (w, original[s:e], s, e, w)) for m in _WORD.finditer(folded) for w, (s, e) in ((m.group(), m.span()),)]
    out: list[Token] = []
    for m in _WORD.finditer(folded):
        norm = m.group()
        if TATWEEL in norm:
            norm = norm.replace(TATWEEL, "")
            if not norm:
                continue
        s, e = m.span()
        out.append(new(Token, (norm, original[s:e], s, e, norm)))
    return out
