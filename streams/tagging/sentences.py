"""Sentence splitting and word tokens, both linear in the text length."""

from __future__ import annotations

import re
from typing import NamedTuple

from streams.tagging.normalize import TATWEEL

# A sentence ends at . ! ? ؟ (and closing quotes) before whitespace, or at a line break. The
# end marks are found by a pattern that opens with a fixed character class (the engine skips
# ahead between candidates); the whitespace after them is checked by hand.
_MARK = re.compile(r"[.!?؟\n]")
_TAIL = re.compile(r"[.!?؟]*[\"'”’»)]*")
_SPACE = re.compile(r"\s*")
_WORD = re.compile(r"\w+")
# Very long runs without a boundary are cut so one sentence stays a bounded unit of work.
MAX_SENTENCE_CHARS = 1500


class Token(NamedTuple):
    """One word: folded text (what rules match), original text, and its character span."""

    norm: str
    orig: str
    start: int
    end: int



def _end(match: re.Match[str] | None, default: int) -> int:
    """End of a match that cannot fail (its pattern accepts the empty string)."""
    return match.end() if match is not None else default

def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``, trimmed, never empty.

    A period followed by a lower-case letter ("U.S. officials", "Gen. x") does not end a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    skip_to = 0
    n = len(text)
    space, tail = _SPACE.match, _TAIL.match
    for m in _MARK.finditer(text):
        at = m.start()
        if at < skip_to:
            continue  # inside the run of marks or whitespace that already ended a sentence
        if text[at] == "\n":
            e = at + 1
            nxt = _end(space(text, e), e)
            end, newline = at, True
        else:
            e = _end(tail(text, at + 1), at + 1)
            skip_to = e
            nxt = _end(space(text, e), e)
            if nxt == e:
                continue  # "U.S" or "3.5": no space after the mark
            end, newline = e, "\n" in text[e:nxt]
        skip_to = nxt
        if nxt < n and text[nxt].islower() and not newline:
            continue
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
