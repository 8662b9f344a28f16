"""What the role rules read: one typed sentence context and, per trigger, the slot being filled.

The context is built once per sentence (tokens, actor mentions, triggers, agent markers, clause
bounds, the language's grammar facts, whether it is the headline, the outlet). Derived facts
that several rules need (where acts start, where reactions end, which mentions an agent marker
introduces) are computed here once, not by each rule.

A rule (see :mod:`streams.tagging.roles`) returns :class:`Roles` when it decides, a
:class:`Skip` with the reason when it decides that nothing is coded, or ``None`` to let the next
rule try.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from streams.tagging.gazetteer import Mention
from streams.tagging.phrases import Match
from streams.tagging.sentences import Token

SOURCE_REACH = 16  # words back from the trigger to its source
AGENT_GAP = 6  # words from an agent marker to the actor it introduces ("by a group linked to Iran")
# Hebrew one-letter prepositions glued to a name: in, to, from (and, the, that are no prepositions).
_GLUED_PREPOSITIONS = frozenset("בלמ")
SPEAKER_REACH = 12  # words back from a colon to the speaker of the quote after it ("Araghchi wrote:")


class Roles(NamedTuple):
    """A trigger with its source and target mentions, how they were found and by which rule."""

    trigger: Match
    source: Mention
    target: Mention
    how: str
    rule: str = ""


class Skip(NamedTuple):
    """A rule's decision that a trigger codes nothing, and why (shown by ``--explain``)."""

    reason: str


class Decision(NamedTuple):
    """What the rules made of one trigger: the rule that decided, its roles or why none."""

    trigger: Match
    rule: str
    roles: Roles | None
    reason: str = ""


@dataclass(frozen=True)
class Grammar:
    """The grammar facts of the sentence's language (``languages`` in events.yaml)."""

    passive_aux: frozenset[str] = frozenset()
    sov: bool = False
    verb_endings: frozenset[str] = frozenset()
    genitive: frozenset[str] = frozenset()
    prepositions: frozenset[str] = frozenset()
    postnominal: bool = False
    #: Prepositions that, after an act noun's possessor, name what it hit (Persian به, علیه).
    ezafe: frozenset[str] = frozenset()
    #: Reporting verbs that open a quote after a colon ("wrote:", "نوشت:").
    speech: frozenset[str] = frozenset()
    #: Words opening a sentence-initial background clause ("as", "after", "in the wake of").
    background_openers: tuple[tuple[str, ...], ...] = ()
    #: Words after an actor that make it a place ("as a base").
    place_after: tuple[tuple[str, ...], ...] = ()
    #: Words before an act noun's modifier that make it the means of what befell the actor
    #: before them ("facility bombed **in** Israeli airstrike").
    act_in: tuple[tuple[str, ...], ...] = ()


def clause_barriers(tokens: Sequence[Token], text: str) -> list[int]:
    """Token indices that start a new clause (after ';' or ':', or a dash before "and"/"but")."""
    out = [0]
    if ";" not in text and ":" not in text and "—" not in text:  # most sentences: no need to look between the words
        return out
    for k in range(1, len(tokens)):
        gap = text[tokens[k - 1].end:tokens[k].start]
        # A dash before "and"/"but" opens a clause of its own ("far from over — and that ...").
        if ";" in gap or ":" in gap or ("—" in gap and tokens[k].norm in ("and", "but")):
            out.append(k)
    return out


@dataclass
class SentenceContext:
    """One sentence as the role rules see it; ``coded`` and ``previous`` grow as triggers are read."""

    tokens: Sequence[Token]
    text: str
    mentions: Sequence[Mention]
    triggers: Sequence[Match]
    agents: Sequence[Match] = ()
    grammar: Grammar = Grammar()
    #: Where an answer to an act or a reason for one ends ("retaliation for", "over").
    answers: Sequence[int] = ()
    headline: bool = False
    outlet: str | None = None
    barriers: list[int] = field(init=False)
    act_starts: set[int] = field(init=False)
    reaction_ends: list[int] = field(init=False)
    #: Mentions an agent marker introduces: where they start → where their marker does. The
    #: actor "the attack on Israel by Hamas gunmen" names did the act before the marker; it is
    #: no subject of a reaction after it ("... and expressed solidarity").
    agent_objects: dict[int, int] = field(init=False)
    #: Token bounds [lo, hi) of a sentence-initial background clause, if any.
    background: tuple[int, int] | None = field(init=False)
    #: Where mentions that are places start ("uses Albania as a base").
    places: set[int] = field(init=False)
    coded: list[Roles] = field(default_factory=list)
    previous: Roles | None = None
    #: Acts coded on no actor, by where they start: who did them ("حمله هوایی اسرائیل به غزه").
    possessors: dict[int, Mention] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.barriers = clause_barriers(self.tokens, self.text)
        self.act_starts = {t.first for t in self.triggers if t.payload.act}
        self.reaction_ends = [t.last for t in self.triggers if t.payload.reaction]
        self.background = _background(self.tokens, self.text, self.grammar.background_openers)
        self.places = set()
        if self.grammar.place_after:
            firsts = {p[0] for p in self.grammar.place_after}  # most mentions are followed by none of them
            self.places = {m.first for m in self.mentions if self.norm(m.last) in firsts
                           and any(_words_at(self.tokens, m.last, p) for p in self.grammar.place_after)}
        self.agent_objects = {}
        for a in self.agents:
            named = next((m for m in self.mentions if a.last <= m.first <= a.last + AGENT_GAP), None)
            if named is not None:  # "carried out by hackers linked to Iran": the first marker's
                self.agent_objects.setdefault(named.first, a.first)

    @property
    def n(self) -> int:
        return len(self.tokens)

    def norm(self, k: int) -> str:
        """The folded word at ``k``, "" outside the sentence."""
        return self.tokens[k].norm if 0 <= k < len(self.tokens) else ""

    def clause(self, i: int) -> tuple[int, int]:
        """Token bounds [lo, hi) of the clause holding token ``i``."""
        start, end = 0, len(self.tokens)
        for b in self.barriers:
            if b <= i:
                start = b
            else:
                end = b
                break
        return start, end


@dataclass
class Slot:
    """One trigger and the actors around it, as the rules read them.

    ``left``: actors before it within :data:`SOURCE_REACH` words, nearest first; ``far``: the
    rest of the clause before it; ``right_all``: actors after it (or inside a gapped phrase:
    "ordered two Iranian diplomats to leave") in the clause; ``right``: those less the ones an
    agent marker of a later trigger introduces; ``subjects``: ``left`` less actors after a
    preposition ("the attack on Israel") or modifying another act ("the Iranian attack")."""

    trigger: Match
    lo: int
    hi: int
    left: list[Mention]
    far: list[Mention]
    right_all: list[Mention]
    right: list[Mention]
    subjects: list[Mention]
    #: The sentence's mentions this trigger may pair: less places, and less those on the other
    #: side of a background clause's bound.
    mentions: list[Mention] = field(default_factory=list)

    @property
    def window(self) -> int:
        return int(self.trigger.payload.target_window)


def _words_at(tokens: Sequence[Token], k: int, words: tuple[str, ...]) -> bool:
    return tuple(t.norm for t in tokens[k:k + len(words)]) == words


def _background(tokens: Sequence[Token], text: str, openers: Sequence[tuple[str, ...]]) -> tuple[int, int] | None:
    """[0, k) when the sentence opens with a background clause ending at its first comma."""
    if not openers or not tokens or not any(o[0] == tokens[0].norm and _words_at(tokens, 0, o) for o in openers):
        return None
    for k in range(1, len(tokens)):
        if "," in text[tokens[k - 1].end:tokens[k].start]:
            return (0, k)
    return None


#: Words from a possessor ("Iran's") to the act it may be the actor of ("Iran's nuclear
#: ambitions and its recent attacks"); farther on, it is no subject ("Washington called Iran's
#: actions a violation ... and reaffirmed its support").
POSSESSOR_REACH = 7


def _possessor_far(m: Mention, trig: Match, tokens: Sequence[Token]) -> bool:
    """A possessive mention ("Iran's") not at the start of its clause and far from the trigger:
    it names whose thing something is, not who acts."""
    k = m.last
    if not (k < len(tokens) and tokens[k].norm == "s" and tokens[k].start == tokens[k - 1].end + 1):
        return False
    return m.first > 0 and trig.first - m.last > POSSESSOR_REACH


def modified_act(m: Mention, act_starts: set[int], tokens: Sequence[Token]) -> int | None:
    """Where the act starts whose actor the mention names right before it ("the Iranian attack",
    "Iran's attack"), else None."""
    if m.last in act_starts:
        return m.last
    possessive = m.last < len(tokens) and tokens[m.last].norm == "s" and tokens[m.last].start == tokens[m.last - 1].end + 1
    return m.last + 1 if possessive and m.last + 1 in act_starts else None


def make_slot(ctx: SentenceContext, trig: Match) -> Slot:
    """The actors around ``trig`` as :class:`Slot` names them."""
    lo, hi = ctx.clause(trig.first)
    mentions = ctx.mentions
    if ctx.background is not None:
        # A background clause and the main clause do not share actors.
        b_lo, b_hi = ctx.background
        inside = b_lo <= trig.first < b_hi
        mentions = [m for m in mentions if (b_lo <= m.first < b_hi) == inside]
    if ctx.places:
        mentions = [m for m in mentions if m.first not in ctx.places]
    left = [m for m in mentions if lo <= m.first and m.last <= trig.first and trig.first - m.last <= SOURCE_REACH]
    left.reverse()  # nearest first
    if not left and lo > 0 and not trig.payload.act and ":" in ctx.text[ctx.tokens[lo - 1].end:ctx.tokens[lo].start]:
        # A statement in a quote with no actor before it is the speaker's ("Araghchi wrote: ...").
        left = _speaker(ctx.tokens, ctx.mentions, lo, ctx.grammar.speech, ctx.grammar.prepositions)
    far = [m for m in mentions if lo <= m.first and m.last <= trig.first and trig.first - m.last > SOURCE_REACH][::-1]
    right_all = [m for m in mentions if (m.first >= trig.last or trig.first < m.first) and m.last <= hi]
    right = right_all
    if ctx.agent_objects:
        # An actor an agent marker introduces is not what an act before the marker's own
        # trigger hit ("Israeli strikes were condemned by Albania"): a marker belongs to the
        # nearest trigger before it.
        objects = ctx.agent_objects
        right = [m for m in right_all if m.first not in objects
                 or not any(trig.last <= t.first < objects[m.first] for t in ctx.triggers)]
    prepositions = ctx.grammar.prepositions
    reaction = trig.payload.reaction
    subjects = [m for m in left if not (m.first > 0 and ctx.tokens[m.first - 1].norm in prepositions)
                and modified_act(m, ctx.act_starts, ctx.tokens) in (None, trig.first)
                and not (reaction and m.first in ctx.agent_objects)
                and not _possessor_far(m, trig, ctx.tokens)]
    return Slot(trig, lo, hi, left, far, right_all, right, subjects, list(mentions))


def _speaker(tokens: Sequence[Token], mentions: Sequence[Mention], colon: int, speech: frozenset[str],
             prepositions: frozenset[str]) -> list[Mention]:
    """The speaker of a quote opening at token ``colon``, as the source of the statements in it
    that name no actor before them: the name right before the colon ("Iran: Israel's crimes",
    "עראקצ'י:"), or the one before a reporting verb there ("عراقچی ... نوشت:", "Araghchi
    wrote:"). Not an addressee: "מסר לדיקטטור חמינאי:" (a message *to* Khamenei), "to Iran:"."""
    def speaking(m: Mention) -> bool:
        return not set(m.glued) & _GLUED_PREPOSITIONS and not (m.first > 0 and _addressed(tokens[m.first - 1], prepositions))
    named = [m for m in mentions if m.last == colon]
    if named:
        return [named[0]] if speaking(named[0]) else []
    verb = tokens[colon - 1]
    if verb.norm not in speech and verb.lemma not in speech:
        return []
    return [m for m in mentions if m.last < colon and colon - m.last <= SPEAKER_REACH and speaking(m)][::-1]


def _addressed(before: Token, prepositions: frozenset[str]) -> bool:
    """Whether the word before a name makes it an addressee: a preposition ("to Iran"), or a
    title with a Hebrew preposition glued to it ("לדיקטטור חמינאי", to the dictator Khamenei:
    the lemmatiser took the letter off)."""
    if before.norm in prepositions:
        return True
    return before.norm[:1] in _GLUED_PREPOSITIONS and before.lemma != before.norm and before.norm[1:].startswith(before.lemma[:2])
