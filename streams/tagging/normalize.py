"""Text clean-up and matching normalisation.

Two steps with different guarantees:

* :func:`clean` makes arbitrary input safe to show and slice: it drops lone surrogates, NUL and
  other control characters, bidi overrides and HTML tags. Its output is what evidence
  sentences quote, so span offsets refer to it.
* :func:`fold` maps cleaned text to a *same-length* matching form (lower case, Latin
  diacritics removed, Persian/Arabic letter variants unified, ZWNJ as a space, marks as tatweel
  that tokens drop). Equal length means an offset in the folded text is an offset in the
  evidence sentence, with no offset tables to keep in step.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Invisible characters that reorder or hide text (bidi overrides, BOM) or are not text at all.
_CONTROL = {c: " " for c in list(range(0, 9)) + [11, 12] + list(range(14, 32)) + [127]}
_CONTROL.update({ord(c): " " for c in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u2028\u2029"})
# Bounded tag pattern: a stray "<" never scans further than 300 characters (linear time).
_TAG = re.compile(r"<[^<>]{0,300}>")
_SURROGATE = re.compile("[\ud800-\udfff]")

TATWEEL = "\u0640"


# Anything :func:`clean` would change; most news has none of it, and then clean is skipped.
NEEDS_CLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f<&\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2028\u2029\ud800-\udfff]")
# The same test on UTF-8 bytes, in two steps: one bytes.translate keeps only the ASCII bytes of
# that class and the lead bytes of the others (E2 for the bidi and line separators, EF for the
# BOM, ED for surrogates), a table lookup a byte where the character class costs a dozen times
# more; only a lead byte left over needs a second look, with a pattern opening with that byte
# (Persian news has a ZWNJ, lead byte E2, in most sentences).
_CLEAN_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f<&\xe2\xef\xed"
_NOT_CLEAN_BYTES = bytes(b for b in range(256) if b not in _CLEAN_BYTES)
_WIDE_LEADS = b"\xe2\xef\xed"
_WIDE_CLEAN = {
    0xE2: re.compile(b"\xe2(?:\x80[\x8e\x8f\xa8-\xae]|\x81[\xa6-\xa9])"),
    0xEF: re.compile(b"\xef\xbb\xbf"),
    0xED: re.compile(b"\xed[\xa0-\xbf]"),  # a lone surrogate, as "surrogatepass" writes it
}


def needs_clean(text: str) -> bool:
    """True when :func:`clean` would change ``text``: it holds a character of ``NEEDS_CLEAN``."""
    if not text:
        return False
    raw = text.encode("utf-8", "surrogatepass")
    rest = raw.translate(None, _NOT_CLEAN_BYTES)
    if not rest:
        return False
    if rest.translate(None, _WIDE_LEADS):  # a control character, "<" or "&"
        return True
    return any(_WIDE_CLEAN[lead].search(raw) is not None for lead in set(rest))


def clean(text: str) -> str:
    """Text safe to display and match: no surrogates, controls, bidi overrides or HTML tags."""
    if not text:
        return ""
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text.translate(_CONTROL)


def _build_fold() -> dict[int, str]:
    table: dict[int, str] = {}
    # Latin letters with diacritics → base letter (ë→e, ç→c, é→e), one character each.
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            table[cp] = base.lower()
    table[0xDF] = "s"  # ß
    # Combining marks (Latin, Arabic harakat, Hebrew niqqud): keep length, vanish from tokens.
    for lo, hi in ((0x300, 0x36F), (0x610, 0x61A), (0x64B, 0x65F), (0x670, 0x670), (0x6D6, 0x6ED), (0x591, 0x5C7)):
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)).startswith("M"):
                table[cp] = TATWEEL
    # Arabic letter variants written in Persian text → the Persian letters.
    table.update({0x64A: "ی", 0x649: "ی", 0x643: "ک", 0x623: "ا", 0x625: "ا", 0x622: "ا", 0x671: "ا", 0x629: "ه", 0x6C0: "ه"})
    # ZWNJ/ZWJ split Persian compounds; aliases are folded the same way, so a space is consistent.
    table.update({0x200C: " ", 0x200D: " ", 0x200B: " ", 0xA0: " "})
    # Typographic punctuation → ASCII (Hebrew geresh/gershayim as apostrophe/quote).
    table.update({0x2019: "'", 0x2018: "'", 0x5F3: "'", 0x5F4: '"', 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-",
                  0x05BE: "-"})
    return table


_FOLD = _build_fold()
# The characters _FOLD maps, none of them ASCII. str.translate looks every character up in the
# table (about 50 ns each): finding the few that occur with one character-class search and
# replacing each (str.replace, at memory speed) is several times faster on news text.
_FOLDED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD)) + "]")
assert all(cp >= 0x80 for cp in _FOLD)
# Latin-1 text (Albanian ë and ç) is folded in one bytes.translate.
_LATIN1_FOLD = bytes(ord(_FOLD.get(b, chr(b))) for b in range(256))


def fold(text: str) -> str:
    """Matching form of cleaned text, exactly as long as the input (see module docstring)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    if len(lowered) != len(text):  # "İ".lower() is two characters; keep such letters as they are
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    try:
        return lowered.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:  # stops at the first character beyond Latin-1
        pass
    for ch in set(_FOLDED.findall(lowered)):
        lowered = lowered.replace(ch, _FOLD[ord(ch)])
    return lowered


def fold_char_variants() -> dict[str, str]:
    """For each folded character, every character that folds to it (prefilter character classes)."""
    variants: dict[str, set[str]] = {}
    for cp, target in _FOLD.items():
        if len(target) == 1 and target != TATWEEL and target != " ":
            variants.setdefault(target, {target}).add(chr(cp).lower())
    return {k: "".join(sorted(v)) for k, v in variants.items()}
