"""Who did what to whom in one sentence: source and target for each trigger.

Rules, in the order they are tried (each records how it decided, which sets confidence):

* passive/attribution: an agent marker after the trigger ("hit **by** hackers linked to Iran",
  "an attack on INSTAT **carried out by** an Iranian actor") names the source; the target is
  the nearest other actor before the marker, or before the trigger, or with no one named before
  the agent the one after it ("hackers **linked to** Iran targeted Albanian systems"). A marker
  belongs to the nearest trigger before it, and what it introduces is not what an earlier act
  hit ("Israeli strikes were condemned **by** Albania").
* accusation: an act named after an accusation is the accused's ("Israel accused **Iran** of
  the cyberattack"), aimed at the actor named with it or else at the accuser.
* noun modifier: "Iran denies involvement in **Albania** cyberattack" — a bare name right
  before a trigger with no actor after it is what was hit, not who hit; an armed group's
  name ("after **Hamas** attack") is who hit, and the default rule below pairs it.
* reactions and answers: an act right after a reaction ("**condemned** the attack on Israel")
  or an answer ("**retaliation for** the assassination of …") is someone else's; with no agent
  or modifier naming its actor it is not coded, and the reaction is aimed at that actor or
  at no one. A passive reaction ("Iran's attack on Israel **was condemned by** Albania") is
  aimed the same way, and an agent after an answer ("vowed to avenge the killing … **by**
  Israel") names who did the answered act, not who answers. The actor an agent marker
  introduces is no subject of a reaction after it ("… by Hamas gunmen **and expressed**
  solidarity").
* Persian possessive agents: "حمله ارتش اسرائیل به مواضع سپاه" — the actor right after an act
  noun did it when a preposition (به, علیه) then names what it hit (``languages.fa.ezafe_objects``).
* SOV (Persian): with the verb last, the first actor of the clause acts on the next one.
* coordination: "Albania blames Iran …, **cuts** ties" reuses the previous trigger's source;
  actors listed together share a role ("**Albania, Israel and the United States** condemned
  Iran", "blamed **Israel and the United States**").
* default (SVO): the nearest actor before the trigger acts on the nearest one after it within
  the type's ``target_window``; actors of the same state as the target are skipped as source.
  A joint act may name both sides before it ("Israel and Iran exchanged fire"). With no actor
  after it, the nearest actor of another state elsewhere in the sentence is the target
  ("Iranian staff leave Tirana after expulsion"), at lower confidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from streams.tagging.gazetteer import Mention
from streams.tagging.phrases import Match
from streams.tagging.sentences import Token

AGENT_REACH = 12  # words from the trigger to an agent marker
AGENT_GAP = 6  # words from the marker to the actor it introduces ("by a group linked to Iran")
SOURCE_REACH = 16  # words back from the trigger to its source
# Hebrew one-letter prepositions glued to a name: in, to, from (and, the, that are no prepositions).
_GLUED_PREPOSITIONS = frozenset("בלמ")
SPEAKER_REACH = 12  # words back from a colon to the speaker of the quote after it ("Araghchi wrote:")
COORDINATORS = frozenset({"and", "dhe", "و", "ו"})
# Actors whose name before an act says who did it, not who was hit ("Hamas attack", "IRGC
# strike"), unlike a state's ("Albania cyberattack": the attack on Albania).
ARMED_ROLES = frozenset({"MIL", "SPY", "STATE_PROXY", "REB"})
REACTION_GAP = 3  # words between a reaction and the act it is about ("condemned the deadly attack")

HOW_CONFIDENCE = {"direct": 1.0, "passive": 0.95, "sov": 0.9, "modifier": 0.85, "coord": 0.85, "fallback": 0.7}


class Roles(NamedTuple):
    """A trigger with its source and target mentions and how they were found."""

    trigger: Match
    source: Mention
    target: Mention
    how: str


def clause_barriers(tokens: Sequence[Token], text: str) -> list[int]:
    """Token indices that start a new clause (after ';' or ':')."""
    out = [0]
    if ";" not in text and ":" not in text:  # most sentences: no need to look between the words
        return out
    for k in range(1, len(tokens)):
        gap = text[tokens[k - 1].end:tokens[k].start]
        if ";" in gap or ":" in gap:
            out.append(k)
    return out


def _clause(barriers: list[int], i: int, n: int) -> tuple[int, int]:
    start, end = 0, n
    for b in barriers:
        if b <= i:
            start = b
        else:
            end = b
            break
    return start, end


def assign(
    tokens: Sequence[Token],
    text: str,
    mentions: Sequence[Mention],
    triggers: Sequence[Match],
    agents: Sequence[Match],
    passive_aux: frozenset[str],
    sov: bool,
    verb_endings: frozenset[str],
    genitive: frozenset[str] = frozenset(),
    prepositions: frozenset[str] = frozenset(),
    postnominal: bool = False,
    cause_ends: Sequence[int] = (),
    ezafe: frozenset[str] = frozenset(),
    speech: frozenset[str] = frozenset(),
) -> list[Roles]:
    """Source and target for every trigger that has both (see module docstring)."""
    out: list[Roles] = []
    barriers = clause_barriers(tokens, text)
    n = len(tokens)
    previous: Roles | None = None
    possessors: dict[int, Mention] = {}  # acts coded on no actor, by where they start: who did them
    act_starts = {t.first for t in triggers if t.payload.act}
    reaction_ends = [t.last for t in triggers if t.payload.reaction]
    # The actor an agent marker introduces ("the attack on Israel by Hamas gunmen") did the act
    # before the marker; it is no subject of a reaction after it ("... and expressed
    # solidarity"), though it may be of an act ("by Iran-linked hackers using wiper malware").
    agent_objects: dict[int, int] = {}  # where those mentions start → where their marker does
    for a in agents:
        named = next((m for m in mentions if a.last <= m.first <= a.last + AGENT_GAP), None)
        if named is not None:  # "carried out by hackers linked to Iran": the first marker's
            agent_objects.setdefault(named.first, a.first)
    for trig in triggers:
        etype = trig.payload
        if etype.not_before and trig.last < n and tokens[trig.last].norm in etype.not_before:
            continue  # "attacks blamed on Iran": passive, not an accusation by the actor before
        lo, hi = _clause(barriers, trig.first, n)
        left = [m for m in mentions if lo <= m.first and m.last <= trig.first and trig.first - m.last <= SOURCE_REACH]
        left.reverse()  # nearest first
        if not left and lo > 0 and not etype.act and ":" in text[tokens[lo - 1].end:tokens[lo].start]:
            left = _speaker(tokens, mentions, lo, speech, prepositions)
        # Actors inside a gapped phrase count as after it: "ordered two Iranian diplomats to leave".
        right = [m for m in mentions if (m.first >= trig.last or trig.first < m.first) and m.last <= hi]
        window = trig.payload.target_window
        if etype.inverse:
            # The speaker may sit before a colon: "Iran: Israel will pay a heavy price".
            before = [m for m in mentions if m.last <= trig.first and trig.first - m.last <= SOURCE_REACH][::-1]
            roles = _inverse(trig, before, right)
            if roles is not None:
                out.append(roles)
            continue
        # Farther back in the clause too, nearest first: a passive act's victim may sit before
        # its subject's reach ("Albania ... over a major cyberattack it blamed on Tehran").
        far = [m for m in mentions if lo <= m.first and m.last <= trig.first and trig.first - m.last > SOURCE_REACH][::-1]
        roles = _by_agent(trig, left + far, right, agents, hi, triggers, cause_ends)
        if agent_objects:
            # An actor an agent marker introduces is not what an act before the marker's own
            # trigger hit ("Israeli strikes were condemned by Albania"): a marker belongs to the
            # nearest trigger before it.
            right = [m for m in right if m.first not in agent_objects
                     or not any(trig.last <= t.first < agent_objects[m.first] for t in triggers)]
        if roles is None and postnominal and right and right[0].first == trig.last and right[0].alias.kind == "demonyms":
            # "hakerat iranianë": the adjective after the noun names whose hackers they are.
            roles = _pair(trig, right[0], right[1:] + left, "direct")
        # Not clause subjects: an actor after a preposition ("the attack on Israel"), or one that
        # modifies another act ("the Iranian attack ... and expressed support for Israel").
        subjects = [m for m in left if not (m.first > 0 and tokens[m.first - 1].norm in prepositions)
                    and _modified_act(m, act_starts, tokens) in (None, trig.first)
                    and not (etype.reaction and m.first in agent_objects)]
        if roles is None and etype.act:
            accused = next((r for r in reversed(out) if r.trigger.payload.accusation and r.trigger.last <= trig.first
                            and r.target.last <= trig.first), None)
            if accused is not None:
                # "Israel accused Iran of the cyberattack", "ישראל האשימה את איראן במתקפה": the
                # accused did the act. What it hit is named after it, or right before it ("of
                # the Albania cyberattack"), else it is the accuser.
                hit = [m for m in right if m.first - trig.last <= window]
                hit += [m for m in left[:1] if m.last == trig.first and m is not accused.target]
                roles = _pair(trig, accused.target, [*hit, accused.source], "fallback")
        if roles is None:
            roles = _by_modifier(trig, subjects, right, text, tokens)
        if roles is None and genitive and right and right[0].first == trig.last + 1 and tokens[trig.last].norm in genitive:
            # Albanian "sulmi i Iranit ndaj Izraelit": the attack *of* Iran against Israel.
            roles = _pair(trig, right[0], right[1:], "direct")
        if roles is None and ezafe and etype.act:
            possessor = _ezafe_agent(trig, right, tokens, ezafe, prepositions)
            if possessor is not None:
                roles = _by_ezafe(trig, possessor, right, tokens, ezafe)
                if roles is None:
                    # "حمله هوایی اسرائیل به غزه": Israel's act on no actor; nobody else did it,
                    # and a reaction to it is aimed at Israel.
                    possessors[trig.first] = possessor
                    continue
        if roles is None and etype.act and _reacted_to(trig, reaction_ends, mentions):
            continue  # "condemned the attack on Israel": whoever attacked is not named
        if (roles is None and etype.act and _reacted_to(trig, cause_ends, mentions)
                and not any(t.payload.accusation and t.last <= trig.first for t in triggers)):
            continue  # "retaliation for the assassination of a Hamas leader": nor here, unless blamed
        if roles is None and sov and _verbal(trig, tokens, verb_endings):
            roles = _by_sov(trig, mentions, lo)
        if roles is None and previous is not None and _coordinated(trig, tokens, text, previous, mentions):
            roles = _pair(trig, previous.source, [m for m in right if trig.last + window >= m.first], "coord")
        if roles is None and not (trig.first > 0 and tokens[trig.first - 1].norm in passive_aux):
            dangling = trig.last < n and tokens[trig.last].norm in prepositions and not any(
                trig.last < m.first <= trig.last + 3 for m in right)
            roles = _default(trig, subjects, right, mentions, window, triggers, dangling)
        if roles is not None:
            out.append(roles)
            out.extend(_coordinated_targets(roles, mentions, tokens, text))
            if roles.how == "direct" and 0 <= trig.first - roles.source.last <= 1:  # the subject right before the verb
                out.extend(_coordinated_sources(roles, mentions, text))
            if not any(0 <= trig.first - end <= REACTION_GAP + 1 for end in reaction_ends):
                # The object of a reaction ("condemns Hamas attack, stands with Israel") is no
                # clause of its own: a verb joined after it shares the reaction's subject.
                previous = roles
    return _aim_reactions(out, triggers, mentions, possessors) if reaction_ends else out


def _aim_reactions(coded: list[Roles], triggers: Sequence[Match], mentions: Sequence[Mention],
                   possessors: Mapping[int, Mention] | None = None) -> list[Roles]:
    """A reaction to an act is aimed at whoever did the act: "Albania condemned the attack on
    Israel by Iran" is Albania against Iran, not against Israel; with the act's actor unnamed
    ("condemned the attack on Israel") it is aimed at no actor of the sentence."""
    by_act = {r.trigger.first: r for r in coded if r.trigger.payload.act}
    out = []
    for roles in coded:
        trig = roles.trigger
        if trig.payload.reaction:
            act = next((t for t in triggers if t.payload.act and _reacted_to(t, (trig.last,), mentions)), None)
            if act is None and roles.how == "passive":
                # "Iran's attack on Israel was condemned by Albania": the target found before the
                # agent is the object of an act named before the reaction, not what it is about.
                act = next((t for t in reversed(triggers) if t.payload.act and t.last <= roles.target.first
                            and t.last <= trig.first), None)
            if act is not None:
                done = by_act.get(act.first)
                actor = done.source if done is not None else (possessors or {}).get(act.first)
                if actor is None or actor.actor.bucket == roles.source.actor.bucket:
                    continue
                roles = Roles(trig, roles.source, actor, roles.how)
        out.append(roles)
    return out


def phrase_ends(tokens: Sequence[Token], phrases: Mapping[str, Sequence[tuple[str, ...]]]) -> list[int]:
    """Token index after each occurrence of a phrase (word tuples keyed by their first word)."""
    ends = []
    get = phrases.get
    for k, token in enumerate(tokens):
        candidates = get(token.norm)
        if candidates:
            for words in candidates:
                if tuple(t.norm for t in tokens[k:k + len(words)]) == words:
                    ends.append(k + len(words))
    return ends


def _modified_act(m: Mention, act_starts: set[int], tokens: Sequence[Token]) -> int | None:
    """Where the act starts whose actor the mention names right before it ("the Iranian attack",
    "Iran's attack"), else None."""
    if m.last in act_starts:
        return m.last
    possessive = m.last < len(tokens) and tokens[m.last].norm == "s" and tokens[m.last].start == tokens[m.last - 1].end + 1
    return m.last + 1 if possessive and m.last + 1 in act_starts else None


def _reacted_to(trig: Match, reaction_ends: Sequence[int], mentions: Sequence[Mention]) -> bool:
    """True when ``trig`` is the object of a reaction ("condemned the attack", "welcomed the
    strikes"): a few words after one, with no actor between (which would name the act's own
    actor: "condemned Iran's attack", handled as a modifier)."""
    return any(0 <= trig.first - end <= REACTION_GAP and not any(end <= m.first < trig.first for m in mentions)
               for end in reaction_ends)


def _inverse(trig: Match, left: list[Mention], right: list[Mention]) -> Roles | None:
    """"Israel would face harsh punishment": the nearest actor before undergoes it; the source
    is an actor of another state before that (the speaker), else after the phrase."""
    if not left:
        return None
    target = left[0]
    for s in left[1:] + right:
        if s.actor.bucket != target.actor.bucket:
            return Roles(trig, s, target, "direct")
    return None


def _coordinated_targets(roles: Roles, mentions: Sequence[Mention], tokens: Sequence[Token], text: str) -> list[Roles]:
    """"blamed Israel and the United States": each actor joined to the target is a target too."""
    out = []
    last = roles.target
    for m in mentions:
        if m.first < last.last:
            continue
        if not _joined(last, m, text):
            break
        if m.actor.bucket != roles.source.actor.bucket and m.actor.bucket != last.actor.bucket:
            out.append(Roles(roles.trigger, roles.source, m, roles.how))
        last = m
    return out


def _coordinated_sources(roles: Roles, mentions: Sequence[Mention], text: str) -> list[Roles]:
    """"Albania, Israel and the United States condemned Iran": each actor joined to the source
    before it acts too."""
    out = []
    first = roles.source
    for m in reversed(mentions):
        if m.last > first.first:
            continue
        if not _joined(m, first, text):
            break
        if m.actor.bucket != roles.target.actor.bucket and m.actor.bucket != first.actor.bucket:
            out.append(Roles(roles.trigger, m, roles.target, roles.how))
        first = m
    return out


_JOINERS = ("and", "and the", "dhe", "و", "ו", "", "as well as", "as well as the")


def _joined(before: Mention, after: Mention, text: str) -> bool:
    """Whether two mentions are listed together: "Israel and the United States", "Albania, Israel"."""
    between = text[before.end:after.start]
    gap = between.strip(" ,").lower()
    if gap not in _JOINERS or after.first - before.last > 3:
        return False
    return gap != "" or "," in between


def _pair(trig: Match, source: Mention, targets: Sequence[Mention], how: str) -> Roles | None:
    for t in targets:
        if t.actor.bucket != source.actor.bucket:
            return Roles(trig, source, t, how)
    return None


def _by_agent(trig: Match, left: list[Mention], right: list[Mention], agents: Sequence[Match], hi: int,
              triggers: Sequence[Match] = (), cause_ends: Sequence[int] = ()) -> Roles | None:
    for a in agents:
        # "supported by" ends after "supported"; a marker glued to a name ("מאיראן") is zero-width, at it.
        if (a.last < trig.last or (a.last == trig.last and a.first < a.last) or a.first - trig.last > AGENT_REACH
                or a.first >= hi):
            continue
        if any(trig.last <= t.first < a.first for t in triggers):
            break  # "condemned the attack on Israel by Iran": the agent is the nearer act's
        if any(trig.last <= end <= a.first for end in cause_ends):
            break  # "vowed to avenge the killing of its commanders by Israel": the avenged act's
        agent = next((m for m in right if m.first >= a.last and m.first - a.last <= AGENT_GAP), None)
        if agent is None:
            continue
        before = [m for m in right if m.last <= a.first] + left
        for t in before:
            if t.actor.bucket != agent.actor.bucket:
                return Roles(trig, agent, t, "passive")
        if not before and trig.payload.act:
            # "Hackers linked to Iran's intelligence ministry targeted Albanian systems": with
            # no one named before the agent, what it hit follows it.
            window = trig.payload.target_window
            return _pair(trig, agent, [m for m in right if m.first > agent.first and m.first - agent.last <= window],
                         "passive")
        return None
    return None


def _by_modifier(trig: Match, left: list[Mention], right: list[Mention], text: str, tokens: Sequence[Token]) -> Roles | None:
    if right or not left or not trig.payload.act:
        return None
    near = left[0]
    if tokens[trig.first].norm.endswith("ed"):  # a past-tense verb: the name before it is its subject
        return None
    if near.last != trig.first or near.alias.kind != "names" or text[near.end:tokens[trig.first].start].strip():
        return None
    if near.actor.role in ARMED_ROLES:
        return None  # "after Hamas attack", "an IRGC strike": an armed group before the act did it
    for s in left[1:]:
        if s.actor.bucket != near.actor.bucket:
            return Roles(trig, s, near, "modifier")
    return None


EZAFE_GAP = 2  # words between an act noun and its possessor ("حمله موشکی ارتش اسرائیل": an adjective)
EZAFE_OBJECT_GAP = 3  # words from the possessor to the preposition of what was hit


def _ezafe_agent(trig: Match, right: Sequence[Mention], tokens: Sequence[Token], objects: frozenset[str],
                 prepositions: frozenset[str]) -> Mention | None:
    """Persian possessive (ezafe) agents: "حمله ارتش اسرائیل به مواضع سپاه" (the attack *of* the
    Israeli army *on* IRGC positions), "تجاوز رژیم صهیونیستی علیه ایران". The actor right after
    the act noun (an adjective may come between) did it when a preposition of ``objects``
    (به, علیه) follows it; without one ("تحریم ایران", the sanctions on Iran; "اخراج دیپلمات‌های
    ایرانی") the possessor may be the object, and this rule says nothing."""
    if not right or right[0].first - trig.last > EZAFE_GAP:
        return None
    agent = right[0]
    if any(t.norm in prepositions or t.norm in objects for t in tokens[trig.last:agent.first]):
        return None  # "حمله به ایران": the actor after a preposition is what was hit
    if not any(t.norm in objects for t in tokens[agent.last:agent.last + EZAFE_OBJECT_GAP]):
        return None
    return agent


def _by_ezafe(trig: Match, agent: Mention, right: Sequence[Mention], tokens: Sequence[Token],
              objects: frozenset[str]) -> Roles | None:
    """The possessor's act on the actor the preposition after it introduces, if one is named
    there (see :func:`_ezafe_agent`)."""
    at = next(k for k in range(agent.last, len(tokens)) if tokens[k].norm in objects)
    for target in right:
        if target.first >= at and target.first - at <= EZAFE_OBJECT_GAP and target.actor.bucket != agent.actor.bucket:
            return Roles(trig, agent, target, "direct")
    return None


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


def _verbal(trig: Match, tokens: Sequence[Token], verb_endings: frozenset[str]) -> bool:
    last = tokens[trig.last - 1].norm
    nxt = tokens[trig.last].norm if trig.last < len(tokens) else ""
    return last in verb_endings or nxt in verb_endings


def _by_sov(trig: Match, mentions: Sequence[Mention], lo: int) -> Roles | None:
    before = [m for m in mentions if lo <= m.first and m.last <= trig.first]
    if len(before) < 2:
        return None
    return _pair(trig, before[0], before[1:], "sov")


def _coordinated(trig: Match, tokens: Sequence[Token], text: str, previous: Roles, mentions: Sequence[Mention]) -> bool:
    if trig.first == 0:
        return False
    joined = tokens[trig.first - 1].norm in COORDINATORS or "," in text[tokens[trig.first - 1].end:tokens[trig.first].start]
    between = any(previous.trigger.last <= m.first and m.last <= trig.first for m in mentions)
    return joined and not between


def _default(
    trig: Match, left: list[Mention], right: list[Mention], mentions: Sequence[Mention], window: int,
    triggers: Sequence[Match] = (), dangling: bool = False,
) -> Roles | None:
    near_right = [m for m in right if m.first - trig.last <= window]
    if trig.payload.symmetric and not left and len(near_right) >= 2:
        # "a ceasefire took hold between Israel and Iran": a joint act names both after it.
        return _pair(trig, near_right[0], near_right[1:], "fallback")
    target = near_right[0] if near_right else None
    if target is not None:
        source = next((m for m in left if m.actor.bucket != target.actor.bucket), None)
        if source is not None:
            return Roles(trig, source, target, "direct")
        # Every actor before the trigger belongs to the target's state: maybe the one after is
        # the second actor named after the first ("sanctions on Iran over attack on Albania").
        return None
    if trig.payload.symmetric and target is None and len(left) >= 2:
        # "Israel and Iran exchanged fire": a joint act names both before it.
        pair = _pair(trig, left[0], left[1:], "fallback")
        if pair is not None:
            return pair
    if dangling or not left or not (trig.payload.act or trig.payload.symmetric):
        return None  # "after the attacks on state systems": the target is named, and not an actor
    source = left[0]
    others = [m for m in mentions if m.actor.bucket != source.actor.bucket and m is not source]
    if not others:
        return None
    others.sort(key=lambda m: (abs(m.first - trig.first), m.first))
    target = others[0]
    # "Albania condemned the Iranian attack": the condemner is not the victim. "Albania blames
    # Iran for the attack" is different: the accuser is the one who says it was hit.
    lo, hi = sorted((target.last, source.first))
    if any(lo <= t.first < hi and not t.payload.act and not t.payload.accusation for t in triggers):
        return None
    return Roles(trig, source, target, "fallback")
