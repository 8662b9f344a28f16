"""Actors from ``config/actors.yaml``: validation, mention finding and the relevance prefilter."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from streams.errors import ConfigError
from streams.tagging.normalize import fold_char_variants
from streams.tagging.phrases import CASED, GAP, PREFIX, PhraseIndex, parse_phrase
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

    @property
    def bucket(self) -> str:
        return self.country or self.code


@dataclass(frozen=True)
class Alias:
    """What a matched surface form means."""

    actor: Actor
    kind: str
    weight: float


@dataclass(frozen=True)
class Mention:
    """An actor mention in a sentence: token range, character span, surface form."""

    first: int
    last: int
    start: int
    end: int
    text: str
    alias: Alias

    @property
    def actor(self) -> Actor:
        return self.alias.actor


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
        prefilter: dict[str, list[tuple[str, bool, bool]]] = {}
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
                        prefilter.setdefault(actor.bucket, []).append(_prefilter_entry(elements))
                        forms += 1
            if not forms:
                raise _fail(where, "has no names")
        self._buckets_watched = {a.bucket: a.watched for a in self.actors.values()}
        self._folded_re, self._cased_re, self._group_bucket = _compile_prefilter(prefilter)

    def mentions(self, tokens: Sequence[Token], text: str) -> list[Mention]:
        """Actor mentions in a tokenized sentence, left to right, longest form first."""
        out = []
        for m in self.index.find_all(tokens):
            start, end = tokens[m.first].start, tokens[m.last - 1].end
            out.append(Mention(m.first, m.last, start, end, text[start:end], m.payload))
        return out

    def candidate_buckets(self, text: str) -> set[str]:
        """Buckets (states or stand-alone actors) some alias of which may occur in ``text``.

        A superset of what :meth:`mentions` finds, computed with two regular-expression scans
        so irrelevant articles cost microseconds.
        """
        found: set[str] = set()
        for rx, subject in ((self._folded_re, text.lower()), (self._cased_re, text)):
            if rx is None:
                continue
            for m in rx.finditer(subject):
                found.add(self._group_bucket[m.lastgroup or ""])
        return found

    def may_be_relevant(self, text: str) -> bool:
        """True when two buckets, one of them a watched state, may be named in ``text``."""
        buckets = self.candidate_buckets(text)
        return len(buckets) >= 2 and any(self._buckets_watched.get(b) for b in buckets)


_VARIANTS = fold_char_variants()


def _prefilter_entry(elements: tuple[tuple[str, str], ...]) -> tuple[str, bool, bool]:
    """(regex, cased, latin) for one alias: words joined by any non-word run."""
    cased = elements[0][0] == CASED
    parts = []
    for kind, word in elements:
        if cased:
            parts.append(re.escape(word))
        else:
            chars = []
            for c in word:
                v = _VARIANTS.get(c)
                chars.append(f"[{re.escape(v)}]" if v else re.escape(c))
            parts.append("".join(chars))
    body = r"\W+".join(parts)
    latin = elements[0][1][:1].isascii()
    if latin:
        body = r"\b" + body
        short = sum(len(w) for _, w in elements) <= 4
        if (cased or short) and elements[-1][0] != PREFIX:
            body += r"\b"
    return body, cased, latin


def _compile_prefilter(
    entries: dict[str, list[tuple[str, bool, bool]]],
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]:
    folded_groups, cased_groups = [], []
    names: dict[str, str] = {}
    for n, (bucket, items) in enumerate(sorted(entries.items())):
        group = f"b{n}"
        names[group] = bucket
        for cased, target in ((False, folded_groups), (True, cased_groups)):
            alts = sorted({body for body, c, _ in items if c == cased}, key=lambda s: (-len(s), s))
            if alts:
                target.append(f"(?P<{group}>{'|'.join(alts)})")
    folded = re.compile("|".join(folded_groups)) if folded_groups else None
    cased_rx = re.compile("|".join(cased_groups)) if cased_groups else None
    return folded, cased_rx, names

