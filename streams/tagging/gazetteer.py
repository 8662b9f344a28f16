"""Actors from ``config/actors.yaml``: validation, mention finding and the relevance prefilter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, AnyStr, NamedTuple

import ahocorasick_rs

from streams.errors import ConfigError
from streams.tagging.normalize import TATWEEL, fold
from streams.tagging.phrases import GAP, PhraseIndex, parse_phrase
from streams.tagging.sentences import Token

ROLES = ("GOV", "MIL", "SPY", "STATE_PROXY", "OPP", "REB", "CVL", "BUS", "MED", "OTHER")
KINDS = ("names", "people", "metonyms", "demonyms")
DEFAULT_KIND_WEIGHTS = {"names": 1.0, "people": 0.95, "metonyms": 0.85, "demonyms": 0.85}
FILE = "actors.yaml"


@dataclass(frozen=True)
class Actor:
    """A configured actor. ``bucket`` groups actors that cannot act on each other (one state)."""

    code: str
    country: str | None
    role: str
    watched: bool
    bucket: str = field(init=False, repr=False, compare=False)  # read in every role rule: stored

    def __post_init__(self) -> None:
        object.__setattr__(self, "bucket", self.country or self.code)


@dataclass(frozen=True)
class Alias:
    """What a matched surface form means."""

    actor: Actor
    kind: str
    weight: float


class Mention(NamedTuple):
    """An actor mention in a sentence: token range, character span, surface form."""

    first: int
    last: int
    start: int
    end: int
    text: str
    alias: Alias
    actor: Actor  # alias.actor, kept at hand for the role rules
    glued: str = ""  # one-letter words glued before the name (Hebrew "מ" = from, "ל" = to)


def _fail(key: str, why: str) -> ConfigError:
    return ConfigError(f"{FILE}: `{key}`: {why}")


def _is_cased(form: str) -> bool:
    """Short all-capital acronyms (US, UN, EU, IDF) are matched with their case."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and form == form.upper() and len(letters) <= 5 and all(c.isascii() for c in letters)


class Gazetteer:
    """Finds actor mentions in tokens and decides cheaply whether an article can be relevant."""

    def __init__(self, config: Mapping[str, Any], glued_prefixes: str = "") -> None:
        if not isinstance(config, Mapping):
            raise ConfigError(f"{FILE}: top level: expected a mapping")
        watched = config.get("watched")
        if not isinstance(watched, list) or not all(isinstance(w, str) and w for w in watched):
            raise _fail("watched", "expected a list of country codes")
        self.watched = frozenset(watched)
        weights = dict(DEFAULT_KIND_WEIGHTS)
        for kind, value in (config.get("kinds") or {}).items():
            if kind not in KINDS:
                raise _fail(f"kinds.{kind}", f"unknown kind (known: {', '.join(KINDS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise _fail(f"kinds.{kind}", "expected a number in (0, 1]")
            weights[kind] = float(value)
        actors = config.get("actors")
        if not isinstance(actors, Mapping) or not actors:
            raise _fail("actors", "expected a mapping of actor ids")
        self.index = PhraseIndex(glued_prefixes)
        self.actors: dict[str, Actor] = {}
        relevant = config.get("relevant_non_state") or []
        if not isinstance(relevant, list):
            raise _fail("relevant_non_state", "expected a list of actor ids")
        self.prefilter = Prefilter(glued_prefixes)
        # Outsiders (the US, the EU…) by the same cheap test: a sentence naming one watched state
        # is worth analysing only when it may also name someone else.
        self.others = Prefilter(glued_prefixes)
        for code, spec in actors.items():
            where = f"actors.{code}"
            if not isinstance(spec, Mapping):
                raise _fail(where, "expected a mapping")
            unknown = set(spec) - {"country", "role", *KINDS, "stems"}
            if unknown:
                raise _fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
            country = spec.get("country")
            if country is not None and (not isinstance(country, str) or not re.fullmatch(r"[A-Z]{3}", country)):
                raise _fail(f"{where}.country", "expected a 3-letter CAMEO code or null")
            role = spec.get("role", "GOV")
            if role not in ROLES:
                raise _fail(f"{where}.role", f"expected one of {', '.join(ROLES)}")
            actor = Actor(str(code), country, role, country in self.watched)
            self.actors[actor.code] = actor
            forms = 0
            for kind in (*KINDS, "stems"):
                by_lang = spec.get(kind)
                if by_lang is None:
                    continue
                if not isinstance(by_lang, Mapping):
                    raise _fail(f"{where}.{kind}", "expected a mapping of language → list of forms")
                for lang, items in by_lang.items():
                    if not isinstance(items, list) or not all(isinstance(x, (str, int)) for x in items):
                        raise _fail(f"{where}.{kind}.{lang}", "expected a list of strings")
                    for item in items:
                        form = str(item).strip()
                        cased = kind != "stems" and _is_cased(form)
                        elements = parse_phrase(form + ("*" if kind == "stems" else ""), cased=cased)
                        if not elements or any(e[0] == GAP for e in elements):
                            raise _fail(f"{where}.{kind}.{lang}", f"unusable form {form!r}")
                        if kind == "stems" and len(elements[-1][1]) < 5:
                            raise _fail(f"{where}.stems.{lang}", f"stem {form!r} is shorter than 5 letters")
                        alias = Alias(actor, "names" if kind == "stems" else kind, weights["names" if kind == "stems" else kind])
                        self.index.add(elements, alias)
                        target = self.prefilter if actor.watched or actor.code in relevant else self.others
                        target.add(form, kind, actor.bucket, cased)
                        forms += 1
            if not forms:
                raise _fail(where, "has no names")
        self.others.finish()
        self.prefilter.finish(self.watched, companion=self.others)
        for code in relevant:
            if code not in self.actors:
                raise _fail("relevant_non_state", f"unknown actor {code!r}")

    def mentions(self, tokens: Sequence[Token], text: str, starts: Sequence[int] | None = None) -> list[Mention]:
        """Actor mentions in a tokenized sentence, left to right, longest form first."""
        out = []
        for m in self.index.find_all(tokens, starts):
            start, end = tokens[m.first].start, tokens[m.last - 1].end
            out.append(Mention(m.first, m.last, start, end, text[start:end], m.payload, m.payload.actor, m.glued))
        return out

    def may_be_relevant(self, text: str) -> bool:
        """True when ``text`` may name two relevant buckets (watched states, listed non-state actors)."""
        return self.prefilter.scan(text) is not None

def _fold_map(codepoints: range | list[int], keep: Callable[[str], bool]) -> dict[str, str]:
    """Characters whose :func:`fold` is another single character accepted by ``keep``."""
    out = {}
    for cp in codepoints:
        ch = chr(cp)
        target = fold(ch)
        if target != ch and len(target) == 1 and keep(target):
            out[ch] = target
    return out


# Letters the full matcher folds and the prefilter must fold the same way (one character each,
# so offsets keep): Arabic letter variants written in Persian text, Latin letters with
# diacritics (Albanian ë and ç, "Irán", "Israël").
_WIDE_LETTERS = tuple(_fold_map([0x64A, 0x649, 0x643, 0x623, 0x625, 0x622, 0x671, 0x629, 0x6C0], lambda t: True).items())
_LATIN = _fold_map(range(0xC0, 0x250), lambda t: t.isascii() and t.isalpha())
_LATIN_ANY = re.compile("[" + "".join(sorted(_LATIN)) + "]")
_LATIN_LEAD_BYTES = frozenset(c.encode("utf-8")[0] for c in _LATIN)
# Characters that glue words together (or hide them) in raw text; each is replaced by a space
# in the lowered text too, which keeps offsets (the full matcher folds them to spaces as well).
_WIDE_BREAKS = ("\u200c", "\u200d", "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                "\u2066", "\u2067", "\u2068", "\u2069", "\xa0")
# Every ASCII byte that is not a word character (``\w``: letters, digits, underscore) splits
# words, as it splits the full matcher's tokens: "(Iran)", "Israel's", '"Israel"', "Iran-backed".
_ASCII_NONWORD = bytes(b if chr(b).isalnum() or b == 0x5F or b >= 0x80 else 0x20 for b in range(256))
# The same with the capitals lowered: an ASCII text's words in one translate.
_ASCII_LOWER_NONWORD = bytes(b + 0x20 if 0x41 <= b <= 0x5A else _ASCII_NONWORD[b] for b in range(256))


def _is_split_char(cp: int) -> bool:
    ch = chr(cp)
    return unicodedata.category(ch)[0] in "PZ" or ch.isspace()


# Non-ASCII punctuation and spaces, in the blocks news uses (Latin-1 « » ·, general punctuation
# “ ” ‘ ’ „ – — … and the typographic spaces, Hebrew maqaf, geresh and gershayim, Arabic comma,
# semicolon and question mark, CJK and full-width punctuation), and a BOM (clean() makes it a
# space, after the first scan): in the UTF-8 words (never in the lowered text) each becomes a
# space, so a name stuck to any of them is still a whole word. Symbols (© → €) are not among them.
_SPLIT_CHARS = [chr(cp) for lo, hi in ((0x80, 0xBF), (0x590, 0x6FF), (0x1680, 0x1680), (0x2000, 0x206F), (0x2E00, 0x2E7F),
                                       (0x3000, 0x303F), (0xFE30, 0xFE6F), (0xFF00, 0xFF65))
                for cp in range(lo, hi + 1) if _is_split_char(cp) and chr(cp) not in _WIDE_BREAKS] + ["\ufeff"]
# Two-byte ones by lead byte: each looked for (``in``, at memory speed) only when its lead byte
# is in the text. Three-byte ones in one bytes pattern, run only when one of their lead bytes is.
_SPLIT_2: tuple[tuple[bytes, tuple[tuple[str, bytes], ...]], ...] = tuple(
    (lead, tuple((c, c.encode("utf-8")) for c in _SPLIT_CHARS if len(c.encode("utf-8")) == 2 and c.encode("utf-8")[:1] == lead))
    for lead in sorted({c.encode("utf-8")[:1] for c in _SPLIT_CHARS if len(c.encode("utf-8")) == 2}))


def _three_byte_patterns() -> tuple[tuple[bytes, re.Pattern[bytes]], ...]:
    """For each lead byte, one pattern opening with that byte (a literal prefix: the engine
    skips ahead to it, where a pattern opening with an alternation tries every byte)."""
    tree: dict[bytes, dict[int, set[int]]] = {}
    for c in _SPLIT_CHARS:
        b = c.encode("utf-8")
        if len(b) == 3:
            tree.setdefault(b[:1], {}).setdefault(b[1], set()).add(b[2])
    out = []
    for lead, seconds in sorted(tree.items()):
        branches = [re.escape(bytes([sb])) + b"[" + b"".join(re.escape(bytes([t])) for t in sorted(thirds)) + b"]"
                    for sb, thirds in sorted(seconds.items())]
        out.append((lead, re.compile(re.escape(lead) + b"(?:" + b"|".join(branches) + b")")))
    return tuple(out)


_SPLIT_3 = _three_byte_patterns()
_WIDE_BREAK_LEAD_BYTES = frozenset(c.encode("utf-8")[0] for c in _WIDE_BREAKS)
# UTF-8 bytes every Persian, Hebrew or Arabic text is full of: ASCII, continuation bytes and the
# lead bytes of Hebrew and Arabic letters. What a text keeps after deleting them (one
# bytes.translate) is a handful of rare lead bytes that say which replacements it needs, where
# an ``in`` scan per lead byte would read the whole text each time.
_COMMON_LEADS = frozenset(range(0xD7, 0xDC))
_COMMON_BYTES = bytes(range(0xC0)) + bytes(sorted(_COMMON_LEADS))
_MARK_LEAD_BYTES = frozenset((0xCC, 0xCD, 0xD6))  # combining accents, Hebrew points
# Characters beyond ASCII whose lower case differs from them (``str.lower``), by UTF-8 lead byte
# (two-byte characters) or first two bytes (three-byte ones); four-byte characters count as
# cased. tests/unit/tagging/test_prefilter.py recomputes these from the Unicode database.
_CASED_LEADS_2 = frozenset((0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCD, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5))
_CASED_PAIRS_3 = (b"\xe1\x82", b"\xe1\x83", b"\xe1\x8e", b"\xe1\x8f", b"\xe1\xb2", b"\xe1\xb8", b"\xe1\xb9",
                  b"\xe1\xba", b"\xe1\xbb", b"\xe1\xbc", b"\xe1\xbd", b"\xe1\xbe", b"\xe1\xbf", b"\xe2\x84",
                  b"\xe2\x85", b"\xe2\x86", b"\xe2\x92", b"\xe2\x93", b"\xe2\xb0", b"\xe2\xb1", b"\xe2\xb2",
                  b"\xe2\xb3", b"\xea\x99", b"\xea\x9a", b"\xea\x9c", b"\xea\x9d", b"\xea\x9e", b"\xea\x9f",
                  b"\xef\xbc")
_CASED_LEADS_3 = frozenset(p[0] for p in _CASED_PAIRS_3)
# One pattern per lead byte, opening with it (a literal prefix the engine skips ahead to):
# Persian has the lead E2 in every ZWNJ, so a search per pair would read the text nine times.
_CASED_3 = {lead: re.compile(re.escape(bytes([lead])) + b"[" + b"".join(re.escape(p[1:]) for p in _CASED_PAIRS_3 if p[0] == lead) + b"]")
            for lead in _CASED_LEADS_3}
_LEADS_4 = frozenset(range(0xF0, 0x100))
# Latin-1 text (Albanian, most Western European news) is folded in one bytes.translate.
_LATIN1_FOLD = bytes(ord(_LATIN.get(chr(b), chr(b))) for b in range(256))
# The same after lower-casing (every Latin-1 character lowers to one Latin-1 character).
_LATIN1_LOWER_FOLD = bytes(_LATIN1_FOLD[ord(chr(b).lower())] for b in range(256))
_WORD = re.compile(r"\w+")
# What fold() turns into tatweel (combining marks), and tatweel itself.
_MARK = re.compile("[" + TATWEEL + "".join(chr(cp) for cp in range(0x300, 0x1000) if fold(chr(cp)) == TATWEEL) + "]")
# The Arabic marks written in Persian news (tanwin, harakat, shadda, sukun, hamza above,
# superscript alef) and tatweel: looked for one by one, a scan of every Persian text costs more.
_COMMON_MARKS = (TATWEEL, *(chr(cp) for cp in range(0x64B, 0x656)), "\u0670")
TATWEEL_8 = TATWEEL.encode("utf-8")


def _words(form: str) -> list[str]:
    """The full matcher's words of a configured form (folded ``\\w+`` runs, marks dropped)."""
    out = [m.group().replace(TATWEEL, "") for m in _WORD.finditer(fold(form.lower().rstrip("*")))]
    return [w for w in out if w]


def _cased_words(form: str) -> list[str]:
    """The original spelling of each word of an acronym form (matched by case)."""
    raw = form.rstrip("*")
    return [raw[m.start():m.end()] for m in _WORD.finditer(fold(raw))]


def _anchor_forms(word: str, glued: str) -> set[str]:
    """``word`` (folded) with glued prefixes (Hebrew)."""
    variants = {word}
    if word[:1] and "\u0590" <= word[0] <= "\u05ff":
        variants |= {p + word for p in glued} | {p + q + word for p in glued for q in glued}
    return variants


def prepare(text: str) -> str:
    """Lower-cased ``text`` with its letters folded as the full matcher folds them and
    word-gluing characters as spaces, exactly as long as ``text``."""
    return _prepare(text)[0]


def _spaced_words(text: str) -> tuple[str, bytes]:
    """:func:`prepare`'s text, and its words (as the full matcher's tokens) in UTF-8 with a space
    before and after each: b" iran " is in it exactly when "iran" is one of its words."""
    lowered, encoded = _prepare(text)
    return lowered, b" " + encoded + b" "


def _prepare(text: str) -> tuple[str, bytes]:
    """:func:`prepare`'s text, and its words as UTF-8 (see :func:`_scan_form`)."""
    low, words = _scan_form(text)
    return _lowered(text, low), words


# prepare()'s text as _scan_form leaves it: the str itself; its UTF-8 bytes, where only ASCII
# capitals may be left to lower; or None for an ASCII text's plain text.lower(). Most texts are
# rejected without it ever being needed.
_Low = str | bytes | None


def _lowered(text: str, low: _Low) -> str:
    """:func:`prepare`'s text from what :func:`_scan_form` returned for ``text``."""
    if low is None:
        return text.lower()
    return low if isinstance(low, str) else low.lower().decode("utf-8", "surrogatepass")


def _scan_form(text: str) -> tuple[_Low, bytes]:
    """:func:`prepare`'s text (or what it is made from, see ``_Low``), and its words as UTF-8:
    ``bytes.split()`` on them gives each run of word characters (and marks) of the text once,
    with every punctuation mark and space between them gone (the full matcher's tokens, as
    written).

    The replacements work on bytes where they can: ``bytes.translate`` maps every ASCII
    character in one table lookup each, and ``str.replace`` runs in C at memory speed, while a
    ``translate`` table on a ``str`` costs a dictionary lookup per character, ten times slower
    on Persian or Hebrew text. So each replacement is done only when needed, as told by the lead
    bytes left after deleting the common ones (``_COMMON_BYTES``). ``str.lower`` also looks
    every character up: a text whose only cased letters are ASCII (Persian, Hebrew) is lowered
    as bytes, a Latin-1 text (Albanian) lowered and folded in one ``bytes.translate``.
    """
    if text.isascii():
        return None, text.encode("ascii").translate(_ASCII_LOWER_NONWORD)
    try:
        folded = text.encode("latin-1").translate(_LATIN1_LOWER_FOLD)  # a copy when it is Latin-1
    except UnicodeEncodeError:  # fails at the first other character, in well under a microsecond
        pass
    else:
        if folded.isascii():  # Albanian: ë and ç were its only letters beyond ASCII
            return folded, folded.translate(_ASCII_NONWORD)
    # The ZWNJ and the Arabic letter variants (آ is in most Persian sentences) are replaced in the
    # str before it is encoded, so that it is encoded once: they have no case, so replacing them
    # before lowering is the same as after, and their 2- and 3-byte UTF-8 forms are slow needles
    # in Persian bytes where str.replace finds them at memory speed.
    if "\u200c" in text:
        text = text.replace("\u200c", " ")
    for a, b in _WIDE_LETTERS:
        if a in text:
            text = text.replace(a, b)
    raw = text.encode("utf-8", "surrogatepass")
    leads = frozenset(raw.translate(None, _COMMON_BYTES))
    lowered: str | None
    if _may_be_cased(leads, raw):
        lowered = text.lower()
        if len(lowered) != len(text):  # "İ".lower() is two characters: keep such letters as written
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        encoded = lowered.encode("utf-8", "surrogatepass")
        leads = frozenset(encoded.translate(None, _COMMON_BYTES))  # "Å" (U+212B) lowers to "å"
    else:  # only ASCII letters have a lower case here: lowered as bytes, by the last translate
        encoded = raw
        lowered = None  # decoded below only if a replacement needs the str
    # Lead bytes are looked for in this first encoding: the replacements below never create one
    # of the characters they look for. The text is encoded again only if a letter changed (a
    # 2-byte needle is slow to find in Persian or Hebrew bytes, so no bytes.replace for them).
    changed = False
    if not leads.isdisjoint(_LATIN_LEAD_BYTES):
        if lowered is None:
            lowered = encoded.lower().decode("utf-8", "surrogatepass")
        try:
            latin = lowered.encode("latin-1").translate(_LATIN1_FOLD)
        except UnicodeEncodeError:
            for ch in set(_LATIN_ANY.findall(lowered)):
                lowered = lowered.replace(ch, _LATIN[ch])
        else:
            if latin.isascii():
                return latin.decode("ascii"), latin.translate(_ASCII_NONWORD)
            lowered = latin.decode("latin-1")
        changed = True
    if not leads.isdisjoint(_WIDE_BREAK_LEAD_BYTES):  # in the text only: it is encoded once, below
        if lowered is None:
            lowered = encoded.lower().decode("utf-8", "surrogatepass")
        for ch in _WIDE_BREAKS:
            if ch in lowered:
                lowered = lowered.replace(ch, " ")
                changed = True
    if ((not leads.isdisjoint(_MARK_LEAD_BYTES)  # accents typed apart, niqqud
         or (b"\xd9" in encoded and any(c in text for c in _COMMON_MARKS)))
            and _MARK.search(text)):  # marks have no case: text holds the ones lowered holds
        # Combining marks (accents typed apart, Hebrew niqqud, Arabic harakat such as the ezafe
        # kasra) and tatweel: the full matcher's tokens drop them. Here they become tatweel in
        # the text (same length) and vanish from its words.
        if lowered is None:
            lowered = encoded.lower().decode("utf-8", "surrogatepass")
        lowered = _MARK.sub(TATWEEL, lowered)
        encoded = lowered.encode("utf-8", "surrogatepass").replace(TATWEEL_8, b"")
        changed = False
    if changed and lowered is not None:
        encoded = lowered.encode("utf-8", "surrogatepass")
    low: _Low = lowered if lowered is not None else encoded  # before the words lose their punctuation
    # Punctuation has no case and no replacement above touches it: text holds what lowered holds.
    for lead, chars in _SPLIT_2:
        if lead[0] in leads or (lead[0] in _COMMON_LEADS and lead in encoded):
            for ch, ch8 in chars:
                if ch in text:  # str search: a 2-byte needle is slow in Persian or Hebrew bytes
                    encoded = encoded.replace(ch8, b" ")
    for lead, pattern in _SPLIT_3:
        if lead[0] in leads and lead in encoded:  # a ZWNJ (E2) may be gone already
            encoded = pattern.sub(b" ", encoded)
    return low, encoded.translate(_ASCII_LOWER_NONWORD)


def _may_be_cased(leads: frozenset[int], raw: bytes) -> bool:
    """Whether a text whose rare lead bytes are ``leads`` may hold a letter beyond ASCII with a
    lower case of its own (Latin, Greek, Cyrillic, Armenian, Georgian...; anything of four bytes)."""
    if not leads.isdisjoint(_CASED_LEADS_2) or not leads.isdisjoint(_LEADS_4):
        return True
    return any(_CASED_3[lead].search(raw) is not None for lead in _CASED_LEADS_3.intersection(leads))


_NO_START_SKIP = [b"\x01\x00", b"\x02\x00", b"\x03\x00"]
assert all(_ASCII_LOWER_NONWORD[k[0]] == 0x20 for k in _NO_START_SKIP)


class Hits(NamedTuple):
    """What the prefilter found in one text: relevant buckets and where their anchors sit."""

    buckets: frozenset[str]
    positions: tuple[tuple[int, frozenset[str]], ...]  # (offset, buckets of the word there), sorted
    lowered: str
    spaced: bytes  # the text's words between spaces, in UTF-8 (see _spaced_words)
    companion: Prefilter | None  # the prefilter whose words the same scan found, if any
    companion_words: tuple[set[str], set[str]]  # its anchor words and stems in the text


class Prefilter:
    """Cheap relevance test: which relevant buckets a text may name, by whole-word anchors.

    One pass: lower-case and fold the text into its words between spaces (:func:`_prepare`),
    then one Aho-Corasick scan finds every anchor word (" iran ", spaces included, so only
    whole words) and every stem at the start of a word (" shqiperi"). The scan is a compiled
    DFA over the UTF-8 bytes (``ahocorasick_rs``, in Rust): one table lookup a byte, where
    splitting the text into word objects and hashing each costs several times more and a
    regular expression over hundreds of aliases costs milliseconds. A
    many-word name whose only distinctive word is a common one ("National Cyber Security
    **Authority**", "Islamic **Republic**") counts only when the whole name is in the text, and
    an acronym only when written in capitals ("US", not "us"), so everyday words do not make
    every article a candidate. It is a superset test: what it rejects cannot yield an event,
    what it accepts is analysed, and only in the sentences holding its hits.
    """

    def __init__(self, glued: str) -> None:
        self._glued = glued
        self.anchors: dict[str, set[str]] = {}
        self.stems: list[tuple[str, str]] = []
        self._forms: list[tuple[list[str], str, str | None]] = []
        self._plain: dict[str, frozenset[str]] = {}
        self._verify: dict[str, tuple[_Verify, ...]] = {}
        self._table: dict[str, tuple[frozenset[str], tuple[_Verify, ...]]] = {}
        self._automaton: Any = None  # anchors and stems, built on the first scan
        self._keys: list[bytes] = []  # the automaton's keys
        self._key_values: list[tuple[tuple[int, str], ...]] = []  # for each key, its (slot, word) pairs
        self._companion: Prefilter | None = None
        self._watched: frozenset[str] = frozenset()

    def add(self, form: str, kind: str, bucket: str, cased: bool = False) -> None:
        if kind == "stems":
            self.stems.append((fold(form.lower()), bucket))  # the lowered text is folded alike
        else:
            self._forms.append((_words(form), bucket, form if cased else None))

    def finish(self, watched: frozenset[str] = frozenset(), companion: Prefilter | None = None) -> None:
        """Build the anchor tables. A many-word name is anchored on a word that is itself a name
        of the same bucket when there is one ("Albanian government" on "albanian": no check
        needed); else on its longest word, confirmed by the whole name in the text. Acronyms
        are confirmed by their capitals in the original text. A finished ``companion`` (the
        outsiders) is scanned for in the same pass, for :meth:`positions` on the texts that pass."""
        self._watched = watched
        self.stems = sorted(set(self.stems))
        singles: dict[str, set[str]] = {}
        for words, bucket, cased in self._forms:
            if len(words) == 1 and cased is None:
                singles.setdefault(bucket, set()).add(words[0])
        plain: dict[str, set[str]] = {}
        verify: dict[str, set[_Verify]] = {}
        for words, bucket, cased in self._forms:
            if not words:
                continue
            own = [w for w in words if w in singles.get(bucket, ())]
            word = own[0] if own else max(words, key=len)
            # The whole name as the full matcher reads it: its words in a row, anything that is
            # no word character between them (spaces of any kind, punctuation, gershayim).
            if cased is not None:
                spelled, in_original = _cased_words(cased), True
            else:
                spelled, in_original = words, False
            check = _Check(spelled[0], re.compile(r"\W+".join(map(re.escape, spelled))), spelled[0].encode("utf-8"),
                           re.compile(b" +".join(re.escape(w.encode("utf-8")) for w in spelled)))
            for anchor in _anchor_forms(word, self._glued):
                self.anchors.setdefault(anchor, set()).add(bucket)
                if own or (len(words) == 1 and cased is None):
                    plain.setdefault(anchor, set()).add(bucket)
                else:
                    verify.setdefault(anchor, set()).add((bucket, check, in_original))
        self._plain = {k: frozenset(v) for k, v in plain.items()}
        self._verify = {k: tuple(sorted((e for e in v if e[0] not in plain.get(k, ())), key=lambda e: (e[0], e[1].pattern.pattern, e[2])))
                        for k, v in verify.items()}
        # Both tables in one lookup per anchor word of a text.
        self._table = {k: (self._plain.get(k, frozenset()), self._verify.get(k, ())) for k in self.anchors}
        # Keys of one scan: (slot, word). Slots 0 and 1 are this prefilter's anchors and stems,
        # 2 and 3 the companion's; one key may serve both.
        keys: dict[str, list[tuple[int, str]]] = {}
        for offset, owner in ((0, self), (2, companion)):
            if owner is None:
                continue
            for anchor in owner.anchors:
                keys.setdefault(f" {anchor} ", []).append((offset, anchor))
            for stem, _ in owner.stems:
                keys.setdefault(f" {stem}", []).append((offset + 1, stem))  # the start of a word, as stems match
        self._companion = companion
        self._automaton = None
        self._keys = [key.encode("utf-8") for key in keys]
        self._key_values = [tuple(values) for values in keys.values()]
        if self._keys:
            # Every key starts with a space, so the automaton would skip ahead from space to
            # space with a start-byte search that stops every few bytes and only adds work (a
            # fifth of the scan). Keys opening with three other bytes turn it off; these are
            # control characters, spaces in the words (_ASCII_NONWORD), so they never match.
            self._keys += _NO_START_SKIP
            self._key_values += [()] * len(_NO_START_SKIP)

    def scan(self, text: str) -> Hits | None:
        """Hits when ``text`` may name two relevant buckets, at least one watched; else None."""
        low, words = _scan_form(text)
        spaced = b" " + words + b" "
        anchors, stems_found, *companion_words = self._hit_words(spaced)
        found, rows, stems, low = self._match(text, low, spaced, anchors, stems_found, everything=False)
        if len(found) < 2 or (self._watched and not self._watched.intersection(found)):
            return None
        # Rare path (the text passed): finish the checks skipped, for the positions of every hit.
        lowered = _lowered(text, low)
        found, hit_words = self._complete(text, lowered, rows, stems)
        return Hits(frozenset(found), _positions(lowered, hit_words), lowered, spaced, self._companion,
                    (companion_words[0], companion_words[1]))

    def positions(self, text: str, hits: Hits) -> tuple[tuple[int, frozenset[str]], ...]:
        """Where this prefilter's anchors sit in a text another prefilter has already read."""
        if hits.companion is self:
            anchors, stems_found = hits.companion_words
        else:
            anchors, stems_found = self._hit_words(hits.spaced)[:2]
        rows, stems = self._match(text, hits.lowered, hits.spaced, anchors, stems_found, everything=True)[1:3]
        return _positions(hits.lowered, self._complete(text, hits.lowered, rows, stems)[1])

    def _hit_words(self, spaced: bytes) -> list[set[str]]:
        """The anchor words and the stems in a text's spaced words, then the companion's (one
        scan)."""
        found: list[set[str]] = [set(), set(), set(), set()]
        if not self._keys:
            return found
        if self._automaton is None:
            # Built on first use: the DFA takes about 13 MB, and a prefilter whose words another
            # one's scan finds (the outsiders) never needs its own. Standard semantics with
            # overlapping matches, as " iran " and " israel " share a space.
            self._automaton = ahocorasick_rs.BytesAhoCorasick(
                self._keys, matchkind=ahocorasick_rs.MatchKind.Standard, implementation=ahocorasick_rs.Implementation.DFA)
        values = self._key_values
        for key, _, _ in self._automaton.find_matches_as_indexes(spaced, overlapping=True):
            for slot, word in values[key]:
                found[slot].add(word)
        return found

    def _match(self, text: str, low: _Low, spaced: bytes, anchors: set[str], stems_found: set[str],
               everything: bool) -> tuple[set[str], list[_Row], list[_StemRow], _Low]:
        """Buckets found in a text whose anchor words are ``anchors`` and whose words start with
        the stems ``stems_found``, and for each anchor word and stem what it names. Unless
        ``everything``, a check for a bucket already found is skipped (left pending in its row
        for :meth:`_complete`): enough to decide relevance. Also ``low``, as the str if a check
        needed it.

        A name is looked for in the text's words first (``spaced``, where every punctuation mark
        is already a space). That is the whole answer when the lowered text is ASCII (English,
        Albanian once folded); in another a symbol between two words is no space there
        ("Tel©Aviv"), so a name not found is looked for in the lowered text too."""
        found: set[str] = set()
        rows: list[_Row] = []
        table = self._table
        lowered: str | None = None
        for word in anchors:
            plain, entries = table[word]
            hit = set(plain)
            pending: list[_Verify] = []
            for entry in entries:
                bucket, check, in_original = entry
                if not everything and bucket in found:
                    pending.append(entry)
                elif in_original:
                    if check.found_in(text):
                        hit.add(bucket)
                elif check.found_in_words(spaced):
                    hit.add(bucket)
                elif not (low is None or (isinstance(low, bytes) and low.isascii())):
                    if lowered is None:
                        low = lowered = _lowered(text, low)
                        if TATWEEL in lowered:  # marks (as tatweel, see _scan_form): tokens drop them
                            lowered = lowered.replace(TATWEEL, "")
                    if check.found_in(lowered):
                        hit.add(bucket)
            found |= hit
            rows.append((word, hit, pending))
        stems = [(stem, bucket) for stem, bucket in self.stems if stem in stems_found]
        found.update(bucket for _, bucket in stems)
        return found, rows, stems, low

    @staticmethod
    def _complete(text: str, lowered: str, rows: list[_Row], stems: list[_StemRow]) -> tuple[set[str], list[tuple[str, frozenset[str]]]]:
        """Every bucket found, and each hit word (anchors first, then stems) with all the buckets
        it names: the pending checks of :meth:`_match` done."""
        found: set[str] = set()
        words: list[tuple[str, frozenset[str]]] = []
        if TATWEEL in lowered:
            lowered = lowered.replace(TATWEEL, "")
        for word, hit, pending in rows:
            for bucket, check, in_original in pending:
                if bucket not in hit and check.found_in(text if in_original else lowered):
                    hit.add(bucket)
            if hit:
                found |= hit
                words.append((word, frozenset(hit)))
        for stem, bucket in stems:
            found.add(bucket)
            words.append((stem, frozenset((bucket,))))
        return found, words


class _Check(NamedTuple):
    """A many-word name in a text: its words in a row with anything but word characters between."""

    first: str  # the first word, as the searched text spells it
    pattern: re.Pattern[str]
    first_utf8: bytes
    words_pattern: re.Pattern[bytes]  # the same in a text's spaced words (see _scan_form)

    def found_in(self, text: str) -> bool:
        """Whether the name is in ``text``."""
        return _tried_where_first(text, self.first, self.pattern)

    def found_in_words(self, spaced: bytes) -> bool:
        """Whether the name is in a text's spaced words, its words apart by spaces only."""
        return _tried_where_first(spaced, self.first_utf8, self.words_pattern)


def _tried_where_first(text: AnyStr, first: AnyStr, pattern: re.Pattern[AnyStr]) -> bool:
    """Whether ``pattern`` matches in ``text``, tried only where its first word is: ``find``
    skips ahead at memory speed, where a pattern search steps through every character (a check
    runs on most English articles: "authority", "republic")."""
    at = text.find(first)
    while at >= 0:
        if pattern.match(text, at) is not None:
            return True
        at = text.find(first, at + 1)
    return False


# A phrase check: the bucket it confirms, the check of its words, and whether in the original
# text (acronyms, by case) or in the lowered one.
_Verify = tuple[str, "_Check", bool]
# An anchor word of a text: the word, the buckets it names so far, the checks left pending.
_Row = tuple[str, set[str], list[_Verify]]
# A stem found at the start of a word of the text, and its bucket.
_StemRow = tuple[str, str]


def _positions(lowered: str, words: list[tuple[str, frozenset[str]]]) -> tuple[tuple[int, frozenset[str]], ...]:
    out: list[tuple[int, frozenset[str]]] = []
    if TATWEEL in lowered:  # a word may hold marks (as tatweel): found with them
        for w, buckets in words:
            out.extend((m.start(), buckets) for m in re.finditer(f"{TATWEEL}*".join(map(re.escape, w)), lowered))
        out.sort(key=lambda p: p[0])
        return tuple(out)
    for w, buckets in words:
        at = lowered.find(w)
        while at >= 0:
            out.append((at, buckets))
            at = lowered.find(w, at + 1)
    out.sort(key=lambda p: p[0])
    return tuple(out)
