"""The tagger facade: a NewsArticle in, TaggedEvent records out (pure, deterministic).

Pipeline per article: truncate the body, run the prefilter (most news names fewer than two
relevant actors and stops here, after one lowering and one multi-word scan), then
clean, split into sentences (headline first, up to the last relevant hit), and only in the
sentences holding hits fold, tokenize, find actor mentions and triggers, assign roles, decide
modality and build records. Every step is linear in the text length.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from streams.errors import TaggingError
from streams.tagging import markers
from streams.tagging.context import Decision, Grammar, SentenceContext
from streams.tagging.gazetteer import Gazetteer, Mention
from streams.tagging.goldstein import GoldsteinTable, quad_class
from streams.tagging.language import LanguageDetector
from streams.tagging.modality import decide
from streams.tagging.normalize import clean, fold, needs_clean
from streams.tagging.phrases import Match, Scanner
from streams.tagging.roles import HOW_CONFIDENCE, Roles, assign, phrase_ends
from streams.tagging.rules import Rules
from streams.tagging.scale import ScaleCues
from streams.tagging.sentences import Token, split_sentences, tokenize

# The phrase lists the scanner looks through, in its order: ``starts[k]`` is where list k may match.
NAMES, TOPICS, SUPPRESS, TRIGGERS, AGENTS, CUES, REPORTING, ACCORDING, BACKERS = range(9)


class Parts(NamedTuple):
    """What _analyse keeps of a sentence; ``why`` says why it has no triggers to read, if so."""

    tokens: list[Token]
    mentions: list[Mention]
    triggers: list[Match]
    topics: list[str]
    starts: list[list[int]]
    why: str = ""


@dataclass
class SentenceTrace:
    """For ``--explain``: one sentence that names actors of two sides, what each trigger's rule
    decided and what became of the pairs found (``notes``)."""

    index: int
    text: str
    decisions: list[Decision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: int = 0

BASE_CONFIDENCE = 0.9
DEFAULT_MAX_BODY_CHARS = 100_000


# Where an article's event time came from, best first (the summary counts the fallbacks).
TIME_BASES = ("published_at", "ingested_at", "default")


@dataclass
class Tagged:
    """What coding one article gave: its events, the language read and where its time came from.

    ``supported`` is False for an article in a language the rules do not cover (or that the
    detector could not place: ``unknown``): it is not parsed with another language's rules and
    yields no events. ``language`` is "" when it was neither given nor needed (the article names
    no watched actor)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    language: str = ""
    supported: bool = True
    time_basis: str = "published_at"
    #: Filled only when asked (``explain=True``): the sentences read and what the rules decided.
    trace: list[SentenceTrace] = field(default_factory=list)


def event_time_of(article: Mapping[str, Any], default_time: datetime | None = None) -> tuple[datetime, str]:
    """An article's event time and its basis: ``published_at``, else ``ingested_at`` (the stream
    sets it from the Kafka record timestamp when the producer did not), else ``default_time``.

    Raises :class:`TaggingError` when none is known: an undated article is still coded, but
    only the caller knows what time stands for "now" (the run's start, ``--default-time``)."""
    for basis in TIME_BASES[:2]:
        value = article.get(basis)
        if value is not None:
            return value, basis
    if default_time is None:
        raise TaggingError(f"article {article.get('id') or ''} has no published_at or ingested_at")
    return default_time, "default"


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


class Tagger:
    """Codes articles into TaggedEvent records with the rules of ``actors.yaml`` and ``events.yaml``."""

    def __init__(
        self,
        actors: Mapping[str, Any],
        events: Mapping[str, Any],
        goldstein: GoldsteinTable,
        max_body_chars: int = DEFAULT_MAX_BODY_CHARS,
        scale: ScaleCues | None = None,
    ) -> None:
        self.goldstein = goldstein
        self.scale = scale
        self.rules = Rules(events, goldstein.__contains__)
        self.gazetteer = Gazetteer(actors, self.rules.glued_prefixes)
        # One pass per sentence finds where any phrase list may match (order: see _analyse).
        r = self.rules
        self.scanner = Scanner([self.gazetteer.index, r.topics, r.suppress, r.triggers, r.agents, r.cues, r.reporting,
                                r.according, r.backers])
        self.max_body_chars = max_body_chars
        covered = [str(k) for k in (events.get("languages") or {})]
        self.languages = frozenset(covered)
        self.detector = LanguageDetector(covered, [str(c) for c in events.get("detect_also") or ()])
        self._code_facts: dict[str, tuple[int, float]] = {}  # CAMEO code → QuadClass, Goldstein
        self._grammars: dict[str, Grammar] = {}
        self.ruleset_version = f"actors:{_digest(actors)}+events:{_digest(events)}"

    @classmethod
    def from_settings(cls, settings: Any) -> Tagger:
        """Build from loaded settings (``streams.settings.load_settings()``)."""
        table = GoldsteinTable.load(settings.config_dir / "goldstein_cameo.csv")
        return cls(settings.actors, settings.events, table, settings.tagging.max_body_chars,
                   ScaleCues.load(settings.config_dir / "scale.yaml"))

    # ------------------------------------------------------------------ public
    def tag(self, article: Mapping[str, Any], default_time: datetime | None = None) -> list[dict[str, Any]]:
        """TaggedEvent records for one NewsArticle record, sorted by sentence and position."""
        return self.tag_article(article, default_time).events

    def tag_article(self, article: Mapping[str, Any], default_time: datetime | None = None,
                    explain: bool = False) -> Tagged:
        """Events of one article with the language read and the basis of its event time (see
        :func:`event_time_of`); with ``explain``, the trace of every sentence naming two sides."""
        article_id = str(article.get("id") or "")
        event_time, basis = event_time_of(article, default_time)
        # An article that names no watched actor is never read, so its language is not
        # determined ("" unless given) and not counted as unsupported.
        result = Tagged(time_basis=basis, language=str(article.get("language") or ""))
        title = article.get("title") or ""
        body = article.get("body") or ""
        if not isinstance(title, str):
            title = str(title)
        if not isinstance(body, str):
            body = str(body)
        truncated = len(body) > self.max_body_chars
        if truncated:
            body = body[: self.max_body_chars]
        prefilter = self.gazetteer.prefilter
        full = title + "\n" + body
        hits = prefilter.scan(full)
        if hits is None:
            return result
        if needs_clean(title) or needs_clean(body):
            title, body = clean(title), clean(body)
            full = title + "\n" + body
            hits = prefilter.scan(full)
            if hits is None:
                return result
        language = str(article.get("language") or "")
        lang = language.split("-")[0].lower()
        if lang not in self.languages:
            # No label, or one the rules do not cover (feeds mislabel: "tlh", "xx"): the text
            # says which language it is. Only articles naming a watched actor get this far.
            language = self.detector.detect(full)
            lang = language
        result.language = language
        result.supported = lang in self.languages
        if not result.supported:
            return result
        meta = {
            "article_id": article_id,
            "event_time": event_time,
            "language": language,
            "outlet": article.get("source"),
            "url": article.get("url"),
            "truncated": truncated,
        }
        # Only sentences that may name two actors, one of them relevant, can yield an event: the
        # rest of the article is never folded or tokenized (most of a long article is
        # background). Sentences naming one relevant actor only still hold topic words, read
        # only if a bare "attack" elsewhere needs the article's topic.
        others = self.gazetteer.others.positions(full, hits)
        if not _may_share_a_sentence(full, hits.positions, others):
            return result
        # Only sentences naming a relevant actor are read, so the split stops after the one
        # holding the last such hit (often the lead: the rest of the article is background).
        # An outsider's hit beyond the last sentence split lies in a sentence that names no
        # relevant actor (between two sentences there is only whitespace, where no name starts).
        skip = len(title) + 1
        last = hits.positions[-1][0] if hits.positions else -1
        spans = [(0, len(title))] + [(s + skip, e + skip) for s, e in split_sentences(body, last - skip)]
        starts = [s for s, _ in spans]
        named: dict[int, set[str]] = {}
        for pos, buckets in hits.positions:
            named.setdefault(bisect_right(starts, pos) - 1, set()).update(buckets)
        other = {bisect_right(starts, pos) - 1 for pos, _ in others if pos < spans[-1][1]}
        analysed: dict[int, Parts | None] = {k: self._analyse(full[spans[k][0]:spans[k][1]], lang) for k in sorted(named)
                                              if len(named[k]) >= 2 or k in other}
        vetoes = self.rules.story_vetoes
        if vetoes and title and any(p is not None and any(t.payload.name in vetoes for t in p.triggers)
                                    for p in analysed.values()) and self._out_of_scope(title, lang):
            # A match report tells the game in the words of war ("Albania attacked relentlessly").
            analysed = {k: p if p is None else p._replace(triggers=[t for t in p.triggers if t.payload.name not in vetoes])
                        for k, p in analysed.items()}
        topic_only = [k for k in named if analysed.get(k) is None]
        cache: list[str | None] = []

        def article_topic() -> str | None:
            if not cache:
                words = [t for a in analysed.values() if a for t in a.topics]
                for k in topic_only:
                    words.extend(self._topics(full[spans[k][0]:spans[k][1]]))
                cache.append(_topic(words))
            return cache[0]

        seen: set[tuple[str, str, str, str]] = set()
        coded: dict[int, list[dict[str, Any]]] = {}
        for k, parts in analysed.items():
            if parts is None:
                continue
            trace = SentenceTrace(k, full[spans[k][0]:spans[k][1]]) if explain else None
            coded[k] = self._code_sentence(k, full[spans[k][0]:spans[k][1]], parts, lang, article_topic, meta, trace)
            if trace is not None and (trace.decisions or parts.why):
                if parts.why:
                    trace.notes.append(parts.why)
                result.trace.append(trace)
        if 0 in coded and 1 in coded:
            # A headline retells the lede's act in fewer words ("Albania cuts ties with Iran" over
            # "Albania severed diplomatic relations with Iran ..."): the same pair and class of
            # act is one event, the lede's, whose full sentence is the better evidence.
            told = {_gist(e) for e in coded[1]}
            kept = [e for e in coded[0] if _gist(e) not in told]
            if explain and len(kept) < len(coded[0]):
                for t in result.trace:
                    if t.index == 0:
                        t.notes.append(f"{len(coded[0]) - len(kept)} headline event(s) retold by the lede: the lede's kept")
            coded[0] = kept
        for index in sorted(coded):
            for event in coded[index]:
                key = (event["source"]["code"], event["target"]["code"], event["cameo_code"], event["modality"])
                if key not in seen:
                    seen.add(key)
                    result.events.append(event)
        if self.scale is not None:
            for event in result.events:
                self.scale.mark(event)  # evidence of scale ("barrage"): see streams/tagging/scale.py
        return result

    # ------------------------------------------------------------------ steps
    def _analyse(self, text: str, lang: str = "") -> Parts | None:
        """Tokens, mentions, triggers, topic words and phrase starts of one sentence; None if out of scope."""
        if not text:
            return None
        tokens = tokenize(fold(text), text)
        if not tokens:
            return None
        if lang in self.rules.lemmatiser.languages:  # only the few sentences that get this far
            tokens = self.rules.lemmatiser.apply(tokens, lang)
        starts = self.scanner.starts(tokens)
        mentions = self.gazetteer.mentions(tokens, text, starts[NAMES])
        if not mentions:
            return None
        rules = self.rules
        if len(mentions) > 1 and "," in text:
            # "the cyberattack on Albania, a NATO ally, ...": an appositive describes the actor
            # before it and takes no part in the sentence's acts.
            mentions = [m for k, m in enumerate(mentions)
                        if k == 0 or not _APPOSITIVE.fullmatch(text, mentions[k - 1].end, m.start)]
        if len(mentions) > 1:
            mentions = markers.without_datelines(mentions, text)
            mentions = markers.without_negated(mentions, tokens, rules.anti.get(lang, ()))
            if starts[BACKERS]:
                mentions = markers.without_backers(mentions, rules.backers.find_all(tokens, starts[BACKERS]), tokens,
                                                   rules.passive_aux.get(lang, rules.all_passive_aux))
        if starts[ACCORDING]:
            # "According to Rama, ...": the actor named right after reports; it takes no part.
            speakers = {next((m.first for m in mentions if a.last <= m.first <= a.last + 2), -1)
                        for a in rules.according.find_all(tokens, starts[ACCORDING])}
            mentions = [m for m in mentions if m.first not in speakers]
            if not mentions:
                return None
        topics = [m.payload for m in rules.topics.find_all(tokens, starts[TOPICS])]
        if len({m.actor.bucket for m in mentions}) < 2:
            return Parts([], [], [], topics, starts)
        suppressed = rules.suppress.find_all(tokens, starts[SUPPRESS])
        if suppressed:
            words = " ".join(t.orig for t in tokens[suppressed[0].first:suppressed[0].last])
            return Parts([], [], [], topics, starts, f"not an act between states here: suppressed by '{words}'")
        taken: set[Any] = set()
        for m in mentions:
            taken.update(range(m.first, m.last))
        # A trigger may span a name inside a gap ("ordered two Iranian diplomats to leave"), but
        # may not start or end on one.
        triggers = [t for t in rules.triggers.find_all(tokens, starts[TRIGGERS])
                    if t.first not in taken and t.last - 1 not in taken]
        heads = rules.name_heads.get(lang)
        if heads and triggers:
            triggers = [t for t in triggers
                        if not markers.inside_name(t, tokens, text, taken, heads, rules.name_linkers.get(lang, frozenset()))]
        return Parts(tokens, mentions, triggers, topics, starts, "" if triggers else "names two sides, but no trigger")

    def _out_of_scope(self, text: str, lang: str) -> bool:
        """Whether a headline holds a word of ``suppress`` (sport, culture, tourism)."""
        tokens = tokenize(fold(text), text)
        if lang in self.rules.lemmatiser.languages:
            tokens = self.rules.lemmatiser.apply(tokens, lang)
        return bool(self.rules.suppress.find_all(tokens, self.scanner.starts(tokens)[SUPPRESS]))

    def _topics(self, text: str) -> list[str]:
        """Topic words of a sentence that names an actor (see ``topics`` in events.yaml)."""
        tokens = tokenize(fold(text), text)
        starts = self.scanner.starts(tokens)
        if not self.gazetteer.mentions(tokens, text, starts[NAMES]):
            return []
        return [m.payload for m in self.rules.topics.find_all(tokens, starts[TOPICS])]

    def _code_sentence(
        self,
        index: int,
        text: str,
        parts: Parts,
        lang: str,
        article_topic: Callable[[], str | None],
        meta: dict[str, Any],
        trace: SentenceTrace | None = None,
    ) -> list[dict[str, Any]]:
        tokens, mentions, triggers, topics, starts = parts.tokens, parts.mentions, parts.triggers, parts.topics, parts.starts
        if not triggers:
            return []
        rules = self.rules
        if any(t.payload.needs_topic for t in triggers):
            topic = _topic(topics) or article_topic()
            triggers = [t for t in triggers if not t.payload.needs_topic or t.payload.needs_topic == topic]
            if not triggers:
                return []
        agents = rules.agents.find_all(tokens, starts[AGENTS])
        if lang in rules.agent_prefixes:
            agents = sorted(agents + markers.prefix_agents(mentions, rules.agent_prefixes[lang]))
        if lang in rules.attribution:
            agents = sorted(agents + markers.attribution_agents(mentions, tokens, *rules.attribution[lang]))
        cues = rules.cues.find_all(tokens, starts[CUES]) + rules.according.find_all(tokens, starts[ACCORDING])
        reporting = rules.reporting.find_all(tokens, starts[REPORTING])
        # Where an answer to an act ("retaliation for") ends: its act's actor is not the answerer.
        answers = phrase_ends(tokens, rules.cause_markers) if rules.cause_markers else []
        ctx = SentenceContext(tokens, text, mentions, triggers, agents, self._grammar(lang), answers,
                              headline=index == 0, outlet=meta["outlet"])
        coded = assign(ctx, trace.decisions if trace is not None else None)
        # "in May", "May 2024": the month is no hedge (the modal verb is never capitalised mid-sentence).
        cues = [c for c in cues if not (c.first > 0 and tokens[c.first].orig == "May")]
        sentence_topic = _topic(topics)
        if sentence_topic is None and any(r.trigger.payload.code_by_topic or r.trigger.payload.code.startswith("17") for r in coded):
            sentence_topic = article_topic()
        out = []
        for roles in coded:
            src, tgt = roles.source.actor, roles.target.actor
            if not (src.watched or tgt.watched):
                if trace is not None:
                    trace.notes.append(f"{roles.rule}: {roles.source.text} → {roles.target.text}: neither is a watched state")
                continue
            modality, cue = decide(roles, cues, reporting, mentions, rules, lang in rules.sov_languages, triggers, answers)
            if index == 0 and _is_question(text, rules.question_marks):
                modality, cue = rules.question_modality, None
            etype = roles.trigger.payload
            code = etype.code_by_topic.get(sentence_topic or "", etype.code)
            context = "CYBER" if code.startswith("17") and sentence_topic == "CYBER" else etype.context
            if code == etype.code_by_topic.get("MILITARY"):
                context = "MILITARY"
            pairs = [(roles.source, roles.target)]
            if etype.symmetric:
                pairs.append((roles.target, roles.source))
            for s, t in pairs:
                out.append(self._record(index, text, tokens, roles, s, t, code, context, modality, cue, meta))
        if trace is not None:
            trace.events = len(out)
        return out

    def _grammar(self, lang: str) -> Grammar:
        """The grammar facts of a language, built once."""
        grammar = self._grammars.get(lang)
        if grammar is None:
            rules = self.rules
            grammar = self._grammars[lang] = Grammar(
                rules.passive_aux.get(lang, rules.all_passive_aux), lang in rules.sov_languages, rules.verb_endings,
                rules.genitive.get(lang, frozenset()), rules.prepositions, lang in rules.postnominal,
                rules.ezafe_objects.get(lang, frozenset()), rules.speech_words,
                rules.background_openers.get(lang, ()), rules.place_after.get(lang, ()),
                rules.act_in.get(lang, ()))
        return grammar

    def _record(
        self,
        index: int,
        text: str,
        tokens: list[Token],
        roles: Roles,
        source: Mention,
        target: Mention,
        code: str,
        context: str,
        modality: str,
        cue: Match | None,
        meta: dict[str, Any],
    ) -> dict[str, Any]:
        trig = roles.trigger
        marks = [
            (source.start, source.end, "SOURCE"),
            (target.start, target.end, "TARGET"),
            (tokens[trig.first].start, tokens[trig.last - 1].end, "TRIGGER"),
        ]
        if cue is not None:
            marks.append((tokens[cue.first].start, tokens[cue.last - 1].end, "MODALITY"))
        marks.sort()
        spans = [{"start": start, "end": end, "label": label} for start, end, label in marks]
        confidence = BASE_CONFIDENCE * HOW_CONFIDENCE[roles.how] * min(source.alias.weight, target.alias.weight)
        if index == 0:
            confidence *= 0.95  # headlines drop the small words that disambiguate roles
        s_actor, t_actor = source.actor, target.actor
        dyad = None
        if s_actor.watched and t_actor.watched and s_actor.country != t_actor.country:
            dyad = "-".join(sorted((s_actor.country or "", t_actor.country or "")))
        basis = f"{meta['article_id']}\x1f{s_actor.code}\x1f{t_actor.code}\x1f{code}\x1f{modality}\x1f{index}"
        facts = self._code_facts.get(code)
        if facts is None:
            goldstein = self.goldstein.value(code)
            facts = self._code_facts[code] = (quad_class(code), float(goldstein if goldstein is not None else 0.0))
        return {
            "event_id": hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16],
            "article_id": meta["article_id"],
            "origin": "TEXT",
            "event_time": meta["event_time"],
            "source": {"code": s_actor.code, "country": s_actor.country, "role": s_actor.role, "name": source.text},
            "target": {"code": t_actor.code, "country": t_actor.country, "role": t_actor.role, "name": target.text},
            "dyad": dyad,
            "cameo_code": code,
            "quad_class": facts[0],
            "goldstein": facts[1],
            "context": context,
            "modality": modality,
            "confidence": round(confidence, 3),
            "evidence": {"sentence": text, "spans": spans},
            "language": meta["language"],
            "num_sources": 1,
            "ruleset_version": self.ruleset_version,
            "outlet": meta["outlet"],
            "url": meta["url"],
            "truncated": meta["truncated"],
        }


# What lies between an actor and an appositive naming another ("Albania, a NATO ally"; "Israel,
# a close ally of the United States"): a comma, an indefinite article, up to four words.
_APPOSITIVE = re.compile(r"\s*,\s*(?:a|an)\s+(?:[\w'-]+\s+){0,4}", re.IGNORECASE)


# An end mark (and closing quotes) with whitespace after it, or a line break: a sentence ends
# there unless a lower-case letter follows on the same line (the rule of split_sentences).
_END_RUN = re.compile(r"[.!?؟][\"'”’»)]*\s+|\n")
_END_CHARS = ".!?؟\n"  # where an _END_RUN can start


def _may_share_a_sentence(text: str, relevant: Sequence[tuple[int, frozenset[str]]],
                          others: Sequence[tuple[int, frozenset[str]]]) -> bool:
    """False when no sentence can name two actors, one relevant: every two neighbouring hits of
    different actors have a sure sentence end between them. Saves splitting the article into
    sentences when its actors sit in separate paragraphs (most prefilter passes that yield
    nothing)."""
    marks = sorted([(p, b) for p, b in relevant] + [(p, frozenset(("",))) for p, _ in others], key=lambda m: m[0])
    for (p, a), (q, b) in zip(marks, marks[1:], strict=False):
        if (len(a) > 1 or (a != b and (a != {""} or b != {""}))) and not _sure_end(text, p, q):
            return True
    return False


def _sure_end(text: str, start: int, stop: int) -> bool:
    """Whether a sentence surely ends at an ``_END_RUN`` starting in ``text[start:stop]``.

    Candidates are found with ``str.find`` (memchr speed) and only tried with the pattern where
    one of its first characters is: the pattern opens with a choice, so a search with it would
    try every character of the text."""
    at = start
    while True:
        found = [i for i in (text.find(c, at, stop) for c in _END_CHARS) if i >= 0]
        if not found:
            return False
        first = min(found)
        m = _END_RUN.match(text, first)
        if m is None:  # "3.1", "U.S.": no whitespace after the mark
            at = first + 1
            continue
        if "\n" in m.group() or not text[m.end():m.end() + 1].islower():
            return True
        at = m.end()


def _is_question(text: str, marks: str) -> bool:
    """Whether a sentence ends with a question mark (before closing quotes and brackets)."""
    end = text.rstrip().rstrip("\"'”’»)")
    return bool(marks) and end[-1:] in marks if end else False


def _gist(event: Mapping[str, Any]) -> tuple[str, str, int]:
    """Who did which class of act to whom: what a headline and its lede share when they tell one act."""
    return event["source"]["code"], event["target"]["code"], event["quad_class"]


def _topic(words: list[str]) -> str | None:
    """The most frequent topic among topic words (ties: alphabetical, for determinism)."""
    if not words:
        return None
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return min(counts, key=lambda k: (-counts[k], k))
