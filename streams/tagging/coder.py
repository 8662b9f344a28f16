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
from typing import Any

from streams.errors import TaggingError
from streams.tagging import markers
from streams.tagging.gazetteer import Gazetteer, Mention
from streams.tagging.goldstein import GoldsteinTable, quad_class
from streams.tagging.language import detect_language
from streams.tagging.modality import decide
from streams.tagging.normalize import clean, fold, needs_clean
from streams.tagging.phrases import Match, Scanner
from streams.tagging.roles import HOW_CONFIDENCE, Roles, assign, phrase_ends
from streams.tagging.rules import Rules
from streams.tagging.scale import ScaleCues
from streams.tagging.sentences import Token, split_sentences, tokenize

# What _analyse keeps of a sentence: tokens, mentions, triggers, topic words, phrase starts.
Parts = tuple[list[Token], list[Mention], list[Match], list[str], list[list[int]]]

BASE_CONFIDENCE = 0.9
DEFAULT_MAX_BODY_CHARS = 100_000


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
        self._code_facts: dict[str, tuple[int, float]] = {}  # CAMEO code → QuadClass, Goldstein
        self.ruleset_version = f"actors:{_digest(actors)}+events:{_digest(events)}"

    @classmethod
    def from_settings(cls, settings: Any) -> Tagger:
        """Build from loaded settings (``streams.settings.load_settings()``)."""
        table = GoldsteinTable.load(settings.config_dir / "goldstein_cameo.csv")
        return cls(settings.actors, settings.events, table, settings.tagging.max_body_chars,
                   ScaleCues.load(settings.config_dir / "scale.yaml"))

    # ------------------------------------------------------------------ public
    def tag(self, article: Mapping[str, Any]) -> list[dict[str, Any]]:
        """TaggedEvent records for one NewsArticle record, sorted by sentence and position."""
        article_id = str(article.get("id") or "")
        event_time = article.get("published_at") or article.get("ingested_at")
        if event_time is None:
            raise TaggingError(f"article {article_id} has no published_at or ingested_at")
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
            return []
        if needs_clean(title) or needs_clean(body):
            title, body = clean(title), clean(body)
            full = title + "\n" + body
            hits = prefilter.scan(full)
            if hits is None:
                return []
        language = article.get("language") or None
        if not language:
            language = detect_language(full)
        language = str(language)
        lang = language.split("-")[0].lower()
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
            return []
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
        topic_only = [k for k in named if analysed.get(k) is None]
        cache: list[str | None] = []

        def article_topic() -> str | None:
            if not cache:
                words = [t for a in analysed.values() if a for t in a[3]]
                for k in topic_only:
                    words.extend(self._topics(full[spans[k][0]:spans[k][1]]))
                cache.append(_topic(words))
            return cache[0]

        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str, str]] = set()
        for index, parts in analysed.items():
            if parts is None:
                continue
            text = full[spans[index][0]:spans[index][1]]
            for event in self._code_sentence(index, text, parts, lang, article_topic, meta):
                key = (event["source"]["code"], event["target"]["code"], event["cameo_code"], event["modality"])
                if key not in seen:
                    seen.add(key)
                    out.append(event)
        if self.scale is not None:
            for event in out:
                self.scale.mark(event)  # evidence of scale ("barrage"): see streams/tagging/scale.py
        return out

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
        mentions = self.gazetteer.mentions(tokens, text, starts[0])
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
            if starts[8]:
                mentions = markers.without_backers(mentions, rules.backers.find_all(tokens, starts[8]), tokens,
                                                   rules.passive_aux.get(lang, rules.all_passive_aux))
        if starts[7]:
            # "According to Rama, ...": the actor named right after reports; it takes no part.
            speakers = {next((m.first for m in mentions if a.last <= m.first <= a.last + 2), -1)
                        for a in rules.according.find_all(tokens, starts[7])}
            mentions = [m for m in mentions if m.first not in speakers]
            if not mentions:
                return None
        topics = [m.payload for m in rules.topics.find_all(tokens, starts[1])]
        if len({m.actor.bucket for m in mentions}) < 2:
            return ([], [], [], topics, starts)
        if rules.suppress.find_all(tokens, starts[2]):
            return ([], [], [], topics, starts)
        taken: set[Any] = set()
        for m in mentions:
            taken.update(range(m.first, m.last))
        # A trigger may span a name inside a gap ("ordered two Iranian diplomats to leave"), but
        # may not start or end on one.
        triggers = [t for t in rules.triggers.find_all(tokens, starts[3]) if t.first not in taken and t.last - 1 not in taken]
        return (tokens, mentions, triggers, topics, starts)

    def _topics(self, text: str) -> list[str]:
        """Topic words of a sentence that names an actor (see ``topics`` in events.yaml)."""
        tokens = tokenize(fold(text), text)
        starts = self.scanner.starts(tokens)
        if not self.gazetteer.mentions(tokens, text, starts[0]):
            return []
        return [m.payload for m in self.rules.topics.find_all(tokens, starts[1])]

    def _code_sentence(
        self,
        index: int,
        text: str,
        parts: Parts,
        lang: str,
        article_topic: Callable[[], str | None],
        meta: dict[str, Any],
    ) -> list[dict[str, Any]]:
        tokens, mentions, triggers, topics, starts = parts
        if not triggers:
            return []
        rules = self.rules
        agents = rules.agents.find_all(tokens, starts[4])
        if lang in rules.agent_prefixes:
            agents = sorted(agents + markers.prefix_agents(mentions, rules.agent_prefixes[lang]))
        if lang in rules.attribution:
            agents = sorted(agents + markers.attribution_agents(mentions, tokens, *rules.attribution[lang]))
        cues = rules.cues.find_all(tokens, starts[5]) + rules.according.find_all(tokens, starts[7])
        reporting = rules.reporting.find_all(tokens, starts[6])
        passive_aux = rules.passive_aux.get(lang, rules.all_passive_aux)
        # Where an answer to an act ("retaliation for") ends: its act's actor is not the answerer.
        answers = phrase_ends(tokens, rules.cause_markers) if rules.cause_markers else []
        coded = assign(tokens, text, mentions, triggers, agents, passive_aux, lang in rules.sov_languages, rules.verb_endings,
                       rules.genitive.get(lang, frozenset()), rules.prepositions, lang in rules.postnominal,
                       answers, rules.ezafe_objects.get(lang, frozenset()), rules.speech_words)
        # "in May", "May 2024": the month is no hedge (the modal verb is never capitalised mid-sentence).
        cues = [c for c in cues if not (c.first > 0 and tokens[c.first].orig == "May")]
        sentence_topic = _topic(topics)
        if sentence_topic is None and any(r.trigger.payload.code_by_topic or r.trigger.payload.code.startswith("17") for r in coded):
            sentence_topic = article_topic()
        out = []
        for roles in coded:
            src, tgt = roles.source.actor, roles.target.actor
            if not (src.watched or tgt.watched):
                continue
            modality, cue = decide(roles, cues, reporting, mentions, rules, lang in rules.sov_languages, triggers, answers)
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
        return out

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


def _topic(words: list[str]) -> str | None:
    """The most frequent topic among topic words (ties: alphabetical, for determinism)."""
    if not words:
        return None
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return min(counts, key=lambda k: (-counts[k], k))
