"""Event rules from ``config/events.yaml``: trigger phrases, cue lists and grammar facts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from streams.errors import ConfigError
from streams.tagging.lemma import Lemmatiser
from streams.tagging.normalize import fold
from streams.tagging.phrases import PhraseIndex, parse_phrase

CONTEXTS = ("CYBER", "MILITARY", "DIPLOMATIC", "ECONOMIC", "LEGAL", "NUCLEAR", "INFORMATION", "OTHER")
MODALITIES = ("DENIED", "CLAIMED", "HYPOTHETICAL", "THREATENED", "ALLEGED", "ATTRIBUTED")
FILE = "events.yaml"
DEFAULT_TARGET_WINDOW = 12


@dataclass(frozen=True)
class EventType:
    """One kind of event the triggers of which code to one CAMEO code."""

    name: str
    code: str
    context: str
    act: bool
    symmetric: bool
    target_window: int
    code_by_topic: Mapping[str, str] = field(default_factory=dict)
    # "Israel will face punishment": the actor before the phrase undergoes it; the one who says
    # so (or another actor of the sentence) is the source.
    inverse: bool = False
    # Words that, right after the trigger, make it something else ("blamed on Iran" is passive:
    # the actor before "blamed" is not the accuser).
    not_before: frozenset[str] = frozenset()
    # A reaction to an act ("condemned the attack on Israel", "welcomed the strike"): the act
    # named right after it is someone else's, so its source is not the one who reacts.
    reaction: bool = False
    # An accusation ("Israel accused Iran of the cyberattack"): the act named after it is the
    # accused's, and it is no reaction that keeps the act's actor unnamed.
    accusation: bool = False
    # The topic a sentence (else its article) must have for the trigger to fire: "breach" is a
    # cyber act only among hackers, data and networks, not in "a breach of the ceasefire".
    needs_topic: str = ""


def _fail(key: str, why: str) -> ConfigError:
    return ConfigError(f"{FILE}: `{key}`: {why}")


def _index(by_lang: Any, where: str, payload: Any, index: PhraseIndex, lemmas: Lemmatiser | None = None) -> None:
    """Add every phrase of a language → list mapping to ``index``; with ``lemmas``, each phrase of a
    language it covers also under the lemmas of its words, so one form listed matches them all."""
    if not isinstance(by_lang, Mapping):
        raise _fail(where, "expected a mapping of language → list of phrases")
    for lang, items in by_lang.items():
        if not isinstance(items, list) or not all(isinstance(x, (str, int)) for x in items):
            raise _fail(f"{where}.{lang}", "expected a list of strings")
        for item in items:
            elements = parse_phrase(str(item))
            if not elements:
                raise _fail(f"{where}.{lang}", f"unusable phrase {item!r}")
            index.add(elements, payload)
            if lemmas is not None and lang in lemmas.languages:
                lemmatised = parse_phrase(" ".join(
                    w if w.startswith("...") or w.endswith("*") else lemmas.of_written(w, str(lang))
                    for w in str(item).split()))
                if lemmatised and lemmatised != elements:
                    index.add(lemmatised, payload)


def _words(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _fail(where, "expected a list of words")
    return frozenset(value)


class Rules:
    """Compiled event rules."""

    def __init__(self, config: Mapping[str, Any], code_ok: Any) -> None:
        if not isinstance(config, Mapping):
            raise ConfigError(f"{FILE}: top level: expected a mapping")
        languages = config.get("languages") or {}
        if not isinstance(languages, Mapping):
            raise _fail("languages", "expected a mapping")
        self.glued_prefixes = str((languages.get("he") or {}).get("prefixes", ""))
        # Languages whose tokens carry lemmas (``lemma.py``): their triggers match every form.
        self.lemmatiser = Lemmatiser(str(lang) for lang, spec in languages.items()
                                     if isinstance(spec, Mapping) and spec.get("lemmas"))
        self.sov_languages: set[str] = set()
        self.verb_endings: frozenset[str] = frozenset()
        self.passive_aux: dict[str, frozenset[str]] = {}
        self.genitive: dict[str, frozenset[str]] = {}
        # Persian: prepositions after "act noun + possessor" that name what was hit (roles._by_ezafe).
        self.ezafe_objects: dict[str, frozenset[str]] = {}
        for lang, spec in languages.items():
            if not isinstance(spec, Mapping):
                raise _fail(f"languages.{lang}", "expected a mapping")
            order = spec.get("word_order", "SVO")
            if order not in ("SVO", "SOV"):
                raise _fail(f"languages.{lang}.word_order", "expected SVO or SOV")
            if order == "SOV":
                self.sov_languages.add(str(lang))
                self.verb_endings |= _words(spec.get("verb_endings"), f"languages.{lang}.verb_endings")
            self.passive_aux[str(lang)] = _words(spec.get("passive_aux"), f"languages.{lang}.passive_aux")
            self.genitive[str(lang)] = _words(spec.get("genitive"), f"languages.{lang}.genitive")
            self.ezafe_objects[str(lang)] = _words(spec.get("ezafe_objects"), f"languages.{lang}.ezafe_objects")
        self.all_passive_aux = frozenset().union(*self.passive_aux.values()) if self.passive_aux else frozenset()
        # Prepositions: an actor right after one is not the subject of a clause ("attack on
        # Israel"), and an act followed by one with no actor named ("attacks on state systems")
        # has no actor target.
        self.prepositions = frozenset().union(*(_words((spec or {}).get("prepositions"), f"languages.{lang}.prepositions")
                                               for lang, spec in languages.items()))
        # Words of an answer to an act ("retaliation for the assassination of ..."): an act a few
        # words after one has no actor from before it unless someone is blamed for it.
        self.cause_markers: dict[str, list[tuple[str, ...]]] = {}
        for lang, spec in languages.items():
            for phrase in _words((spec or {}).get("cause_markers"), f"languages.{lang}.cause_markers"):
                words = tuple(phrase.lower().split())
                if words:
                    self.cause_markers.setdefault(words[0], []).append(words)
        # Background clauses ("As Albania grapples with ..., ") and place phrases ("uses Albania as
        # a base"), as word tuples per language.
        self.background_openers: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.place_after: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.act_in: dict[str, tuple[tuple[str, ...], ...]] = {}
        for lang, spec in languages.items():
            for key, table in (("background_openers", self.background_openers), ("place_after", self.place_after),
                               ("act_in", self.act_in)):
                phrases = _words((spec or {}).get(key), f"languages.{lang}.{key}")
                table[str(lang)] = tuple(sorted(tuple(p.lower().split()) for p in phrases if p.split()))
        # Languages whose adjectives follow the noun: "hakerat iranianë" = Iranian hackers.
        self.postnominal = {str(lang) for lang, spec in languages.items() if (spec or {}).get("adjective_after_noun")}

        events = config.get("events")
        if not isinstance(events, Mapping) or not events:
            raise _fail("events", "expected a mapping of event types")
        self.triggers = PhraseIndex(self.glued_prefixes)
        self.types: dict[str, EventType] = {}
        for name, spec in events.items():
            where = f"events.{name}"
            if not isinstance(spec, Mapping):
                raise _fail(where, "expected a mapping")
            unknown = set(spec) - {"code", "context", "act", "symmetric", "target_window", "code_by_topic", "phrases",
                                   "inverse", "not_before", "reaction", "accusation", "needs_topic"}
            if unknown:
                raise _fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
            code = spec.get("code")
            if not isinstance(code, str) or not re.fullmatch(r"\d{2,4}", code) or not code_ok(code):
                raise _fail(f"{where}.code", f"expected a quoted CAMEO code in the Goldstein table, got {code!r}")
            context = spec.get("context", "OTHER")
            if context not in CONTEXTS:
                raise _fail(f"{where}.context", f"expected one of {', '.join(CONTEXTS)}")
            window = spec.get("target_window", DEFAULT_TARGET_WINDOW)
            if isinstance(window, bool) or not isinstance(window, int) or window < 1:
                raise _fail(f"{where}.target_window", "expected a whole number >= 1")
            by_topic = spec.get("code_by_topic") or {}
            if not isinstance(by_topic, Mapping) or not all(
                t in CONTEXTS and isinstance(c, str) and code_ok(c) for t, c in by_topic.items()
            ):
                raise _fail(f"{where}.code_by_topic", "expected context → quoted CAMEO code")
            needs = str(spec.get("needs_topic") or "")
            if needs and needs not in CONTEXTS:
                raise _fail(f"{where}.needs_topic", f"expected one of {', '.join(CONTEXTS)}")
            etype = EventType(str(name), code, context, bool(spec.get("act", False)), bool(spec.get("symmetric", False)),
                              window, dict(by_topic), bool(spec.get("inverse", False)),
                              _words(spec.get("not_before"), f"{where}.not_before"), bool(spec.get("reaction", False)),
                              bool(spec.get("accusation", False)), needs)
            self.types[etype.name] = etype
            _index(spec.get("phrases"), f"{where}.phrases", etype, self.triggers, self.lemmatiser)

        modality = config.get("modality") or {}
        if not isinstance(modality, Mapping):
            raise _fail("modality", "expected a mapping")
        self.window_before = int(modality.get("window_before", 10))
        self.window_after = int(modality.get("window_after", 8))
        order = modality.get("order", list(MODALITIES))
        if not isinstance(order, list) or sorted(order) != sorted(MODALITIES):
            raise _fail("modality.order", f"expected a list of {', '.join(MODALITIES)}")
        self.modality_rank = {m: k for k, m in enumerate(order)}
        # A headline asking whether an act happens ("Will Iran strike Israel?") reports none.
        question = modality.get("question") or {}
        self.question_marks = str(question.get("marks", ""))
        self.question_modality = str(question.get("modality", "HYPOTHETICAL"))
        if self.question_marks and self.question_modality not in MODALITIES:
            raise _fail("modality.question.modality", f"expected one of {', '.join(MODALITIES)}")
        self.cues = PhraseIndex(self.glued_prefixes)
        for kind, by_lang in (modality.get("cues") or {}).items():
            if kind not in MODALITIES:
                raise _fail(f"modality.cues.{kind}", f"expected one of {', '.join(MODALITIES)}")
            _index(by_lang, f"modality.cues.{kind}", kind, self.cues)
        self.reporting = PhraseIndex(self.glued_prefixes)
        _index(modality.get("reporting") or {}, "modality.reporting", "REPORT", self.reporting)
        # One-word reporting verbs ("said", "گفت", "כתב"): before a colon, they open a quote whose
        # statements are the speaker's (roles: the speaker of a quote).
        self.speech_words = frozenset(parse_phrase(str(w))[0][1] for items in (modality.get("reporting") or {}).values()
                                      for w in items if len(parse_phrase(str(w))) == 1)
        # "According to Rama, Iran sponsored the attack": the actor named right after one of
        # these is the one who reports, no party to the act, which is ATTRIBUTED.
        self.according = PhraseIndex(self.glued_prefixes)
        _index(modality.get("according_to") or {}, "modality.according_to", "ATTRIBUTED", self.according)
        self.agents = PhraseIndex(self.glued_prefixes)
        _index(config.get("agent_markers") or {}, "agent_markers", "BY", self.agents)
        # "the Houthis, backed by Iran, fired ...": the actor after one of these backs the actor
        # before it and takes no part in its acts (Gazetteer.without_backers).
        self.backers = PhraseIndex(self.glued_prefixes)
        _index(config.get("backer_markers") or {}, "backer_markers", "BACKER", self.backers)
        # One-letter words glued to a name that make it an agent (Hebrew מ = from).
        self.agent_prefixes = {str(lang): str(spec.get("agent_prefixes")) for lang, spec in languages.items()
                               if isinstance(spec, Mapping) and spec.get("agent_prefixes")}
        # Words that make the name after them its opponents ("anti-Iranian", "ضد ایرانی").
        self.anti = {str(lang): _words(spec.get("anti"), f"languages.{lang}.anti") for lang, spec in languages.items()
                     if isinstance(spec, Mapping) and spec.get("anti")}
        # "attributed to": (words a name with ל follows, words before a name, verbs after it).
        self.attribution: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        for lang, spec in languages.items():
            att = spec.get("attributed_to") if isinstance(spec, Mapping) else None
            if att:
                if not isinstance(att, Mapping):
                    raise _fail(f"languages.{lang}.attributed_to", "expected a mapping")
                where = f"languages.{lang}.attributed_to"
                self.attribution[str(lang)] = (_words(att.get("glued_after"), where + ".glued_after"),
                                               _words(att.get("before"), where + ".before"),
                                               _words(att.get("verbs"), where + ".verbs"))
        names = config.get("proper_names") or {}
        if not isinstance(names, Mapping):
            raise _fail("proper_names", "expected a mapping with heads and linkers")
        # Folded as the tokens are (diacritics off): "së" is matched as "se".
        self.name_heads = {str(lang): frozenset(fold(w) for w in _words(words, f"proper_names.heads.{lang}"))
                           for lang, words in (names.get("heads") or {}).items()}
        self.name_linkers = {str(lang): frozenset(fold(w) for w in _words(words, f"proper_names.linkers.{lang}"))
                             for lang, words in (names.get("linkers") or {}).items()}
        figurative = config.get("figurative") or {}
        if not isinstance(figurative, Mapping):
            raise _fail("figurative", "expected a mapping with story_vetoes")
        self.story_vetoes = _words(figurative.get("story_vetoes"), "figurative.story_vetoes")
        strays = sorted(self.story_vetoes - set(self.types))
        if strays:
            raise _fail("figurative.story_vetoes", f"unknown event type {strays[0]}")
        self.suppress = PhraseIndex(self.glued_prefixes)
        _index(config.get("suppress") or {}, "suppress", "SUPPRESS", self.suppress)
        self.topics = PhraseIndex(self.glued_prefixes)
        for topic, by_lang in (config.get("topics") or {}).items():
            if topic not in CONTEXTS:
                raise _fail(f"topics.{topic}", f"expected one of {', '.join(CONTEXTS)}")
            _index(by_lang, f"topics.{topic}", topic, self.topics)
