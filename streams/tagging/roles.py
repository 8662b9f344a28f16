"""Who did what to whom in one sentence: an ordered list of named rules over one sentence context.

For each trigger (see :mod:`streams.tagging.context` for what a rule reads) the rules of
:data:`RULES` are tried in order; the first that decides wins: it returns the source and target
(:class:`Roles`, stamped with the rule's name, which ``geotension tag --explain`` shows) or a
:class:`Skip` saying why nothing is coded. When none decides, :func:`why_not` says what was
missing. Each rule's docstring names the construction it reads, with an example; each has its
own tests (``tests/unit/tagging/test_role_rules.py``).

After the rules: actors listed with the source or target share its role ("Albania, Israel and
the United States condemned Iran"), and a reaction to an act is aimed at the act's actor
(:func:`aim_reactions`).

Cautious by design: a rule that is unsure returns ``None`` or a :class:`Skip`; when no rule
finds both sides, nothing is coded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from streams.tagging.context import (
    AGENT_GAP,
    SOURCE_REACH,
    Decision,
    Roles,
    SentenceContext,
    Skip,
    Slot,
    make_slot,
)
from streams.tagging.gazetteer import Mention
from streams.tagging.phrases import Match
from streams.tagging.sentences import Token

__all__ = ["AGENT_GAP", "HOW_CONFIDENCE", "RULES", "Decision", "Roles", "SentenceContext", "Skip", "assign",
           "phrase_ends", "why_not"]

AGENT_REACH = 12  # words from the trigger to an agent marker
COORDINATORS = frozenset({"and", "dhe", "و", "ו"})
# Actors whose name before an act says who did it, not who was hit ("Hamas attack", "IRGC
# strike"), unlike a state's ("Albania cyberattack": the attack on Albania).
ARMED_ROLES = frozenset({"MIL", "SPY", "STATE_PROXY", "REB"})
_CLAUSE_DASHES = ("—", " – ", " - ", ";")
# Nouns of intent: "Albania's decision to expel", "Israel's plan to strike", "Iran's threat to close".
_DECISIONS = frozenset({"decision", "plan", "plans", "move", "order", "bid", "attempt", "refusal", "threat", "vow",
                        "pledge", "readiness", "intention", "choice"})
_APPEALS = ("02", "10")  # CAMEO appeal and demand: "called on Iran to stop ..."
ACCUSED_REACH = 8  # words from the accused to the act it is accused of ("accused Iran of carrying out the attack")
REACTION_GAP = 3  # words between a reaction and the act it is about ("condemned the deadly attack")

HOW_CONFIDENCE = {"direct": 1.0, "passive": 0.95, "sov": 0.9, "modifier": 0.85, "coord": 0.85, "fallback": 0.7}

Decided = Roles | Skip | None
Rule = Callable[[SentenceContext, Slot], Decided]


# ---------------------------------------------------------------------------------- the rules
def passive_blamed_on(ctx: SentenceContext, slot: Slot) -> Decided:
    """Passive accusation: "attacks **blamed on** Iran" — a word right after the trigger
    (``not_before`` in events.yaml) makes it passive, so the actor before it is no accuser."""
    trig = slot.trigger
    etype = trig.payload
    if etype.not_before and ctx.norm(trig.last) in etype.not_before:
        return Skip(f"passive: '{ctx.norm(trig.last)}' after it, the actor before is not who {etype.name}")
    return None


def inverse_undergoer(ctx: SentenceContext, slot: Slot) -> Decided:
    """Undergone acts: "Israel **will face** harsh punishment" (``inverse`` types) — the nearest
    actor before undergoes it; the source is an actor of another state before that (the
    speaker, who may sit before a colon: "Iran: Israel will pay a heavy price"), else after."""
    trig = slot.trigger
    if not trig.payload.inverse:
        return None
    before = [m for m in slot.mentions if m.last <= trig.first and trig.first - m.last <= SOURCE_REACH][::-1]
    if before:
        target = before[0]
        for s in before[1:] + slot.right:
            if s.actor.bucket != target.actor.bucket:
                return Roles(trig, s, target, "direct")
    return Skip("undergone act: no actor before it undergoes it, or no one of another state says so")


def agent_marker(ctx: SentenceContext, slot: Slot) -> Decided:
    """Agent after the act: "hit **by** hackers linked to Iran", "an attack on INSTAT **carried
    out by** an Iranian actor", "**tied to** / **linked to** / **originating in**" — the actor a
    marker introduces is the source; the target is the nearest other actor before the marker,
    or before the trigger, or with no one named before the agent, the one after it ("hackers
    linked to Iran targeted Albanian systems"). A marker belongs to the nearest trigger before
    it and not across an answer ("vowed to avenge the killing ... by Israel")."""
    trig = slot.trigger
    right = slot.right_all
    for a in ctx.agents:
        # "supported by" ends after "supported"; a marker glued to a name ("מאיראן") is zero-width, at it.
        if (a.last < trig.last or (a.last == trig.last and a.first < a.last) or a.first - trig.last > AGENT_REACH
                or a.first >= slot.hi):
            continue
        if any(trig.last <= t.first < a.first for t in ctx.triggers):
            break  # "condemned the attack on Israel by Iran": the agent is the nearer act's
        if any(trig.last <= end <= a.first for end in ctx.answers):
            break  # "vowed to avenge the killing of its commanders by Israel": the avenged act's
        if _participle_between(ctx, trig.last, a.first):
            break  # "supporters of Israel ..., drawing ire from Tehran": the marker is the participle's
        agent = next((m for m in right if m.first >= a.last and m.first - a.last <= AGENT_GAP), None)
        if agent is None:
            continue
        if a.last > 0 and any(d in ctx.text[ctx.tokens[a.last - 1].end:agent.start] for d in _CLAUSE_DASHES):
            continue  # "far from over — and that Tirana's choices": a dash ends the marker's phrase
        before = [m for m in right if m.last <= a.first] + slot.left + slot.far
        for t in before:
            if t.actor.bucket != agent.actor.bucket:
                return Roles(trig, agent, t, "passive")
        if not before and trig.payload.act:
            window = slot.window
            return _pair(trig, agent, [m for m in right if m.first > agent.first and m.first - agent.last <= window],
                         "passive")
        return None
    return None


def done_in_act(ctx: SentenceContext, slot: Slot) -> Decided:
    """Shortened passive: "Iranian facility **bombed in Israeli airstrike**", "Albanian servers
    wiped during an Iranian cyberattack" — the actor modifying an act noun after "in"/"during"
    did it (and the participle before, if any) to the nearest actor of another side before
    that word, with no other actor between them. A bare state name there is what was hit
    ("involvement in Albania cyberattack", see noun_modifier)."""
    phrases = ctx.grammar.act_in
    if not phrases or not slot.trigger.payload.act:
        return None
    trig, tokens, mentions = slot.trigger, ctx.tokens, ctx.mentions
    for act in ctx.triggers:
        if not act.payload.act or act.first < trig.first:
            continue
        agent = next((m for m in mentions if m.last == act.first), None)
        if agent is None or ctx.text[agent.end:tokens[act.first].start].strip():
            continue
        if agent.alias.kind == "names" and agent.actor.role not in ARMED_ROLES:
            continue  # "denies involvement in Albania cyberattack": a bare state name is what was hit
        words = next((p for p in phrases if agent.first >= len(p)
                      and tuple(t.norm for t in tokens[agent.first - len(p):agent.first]) == p), None)
        if words is None:
            continue
        opener = agent.first - len(words)
        if act is not trig and not (trig.last <= opener and not any(trig.last <= m.first < opener for m in mentions)):
            continue
        before = [m for m in mentions if m.last <= min(opener, trig.first)]
        if before and before[-1].actor.bucket != agent.actor.bucket:
            if any(before[-1].last <= t.first < opener and not t.payload.act for t in ctx.triggers):
                return None  # "Albania condemned Iran in ...": a statement between is the clause's verb
            return Roles(trig, agent, before[-1], "modifier")
        return None
    return None


def postnominal_demonym(ctx: SentenceContext, slot: Slot) -> Decided:
    """Adjective after the noun (Albanian, Hebrew): "hakerat **iranianë**" (Iranian hackers) —
    the demonym right after the act names whose act it is."""
    right = slot.right
    if ctx.grammar.postnominal and right and right[0].first == slot.trigger.last and right[0].alias.kind == "demonyms":
        return _pair(slot.trigger, right[0], right[1:] + slot.left, "direct")
    return None


def accused_did_act(ctx: SentenceContext, slot: Slot) -> Decided:
    """Accusation then act: "Israel accused **Iran** of the cyberattack", "ישראל האשימה את
    איראן במתקפה" — the accused did the act; what it hit is named after it, or right before
    it ("of the Albania cyberattack"), else it is the accuser. Only the act the accusation
    names, a few words on in the same phrase: "blames Iran for the hack, cuts ties" — the cut
    is the accuser's."""
    trig = slot.trigger
    if not trig.payload.act:
        return None
    accused = next((r for r in reversed(ctx.coded) if r.trigger.payload.accusation and r.trigger.last <= trig.first
                    and r.target.last <= trig.first), None)
    if accused is None:
        return None
    between = ctx.text[accused.target.end:ctx.tokens[trig.first].start]
    if trig.first - accused.target.last > ACCUSED_REACH or "," in between or ";" in between:
        return None  # "Albania blames Iran for the hack, cuts ties": a later verb is the accuser's own act
    hit = [m for m in slot.right if m.first - trig.last <= slot.window]
    hit += [m for m in slot.left[:1] if m.last == trig.first and m is not accused.target]
    return _pair(trig, accused.target, [*hit, accused.source], "fallback")


def possessor_decision(ctx: SentenceContext, slot: Slot) -> Decided:
    """A decision, plan or move of the possessor: "react to **Albania's** decision to expel two
    diplomats", "Israel's plan to strike" — the possessor of the noun right before "to" and the
    act did it; the target is named after the act."""
    trig, tokens = slot.trigger, ctx.tokens
    k = trig.first
    if k < 4 or ctx.norm(k - 1) != "to" or ctx.norm(k - 2) not in _DECISIONS:
        return None
    owner = next((m for m in slot.left if m.last == k - 3 and ctx.norm(m.last) == "s"), None)
    if owner is None:
        owner = next((m for m in slot.left if m.last + 1 == k - 2 and ctx.norm(m.last) == "s"
                      and tokens[m.last].start == tokens[m.last - 1].end + 1), None)
    if owner is None:
        return None
    hit = [m for m in slot.right if m.first - trig.last <= slot.window]
    return _pair(trig, owner, hit, "direct") or Skip(f"{owner.text}'s {ctx.norm(k - 2)}: no target named after it")


def urged_party_acts(ctx: SentenceContext, slot: Slot) -> Decided:
    """The act an appeal asks for or against: "called on **Iran** to stop its attacks on Israel",
    "urged Tehran to halt strikes" — the party appealed to, named a few words before the act,
    is its actor; what it hits is named after it. Without one named there, nothing is coded."""
    trig = slot.trigger
    if not trig.payload.act:
        return None
    urged = next((r for r in reversed(ctx.coded) if r.trigger.payload.code[:2] in _APPEALS and r.trigger.last <= trig.first
                  and r.target.last <= trig.first and trig.first - r.target.last <= ACCUSED_REACH), None)
    if urged is None:
        return None
    between = ctx.text[urged.target.end:ctx.tokens[trig.first].start]
    if "," in between or ";" in between:
        return None
    hit = [m for m in slot.right if m.first - trig.last <= slot.window]
    return _pair(trig, urged.target, hit, "fallback") or Skip("act asked of the appealed party: no target named")


def noun_modifier(ctx: SentenceContext, slot: Slot) -> Decided:
    """A name as noun modifier: "Iran denies involvement in **Albania** cyberattack" — a bare
    state name right before an act noun with no actor after it is what was hit, and an actor
    of another state before it did it. An armed group's name ("after **Hamas** attack") is
    who hit (left to the default rule), and a past-tense verb's is its subject."""
    trig = slot.trigger
    left, tokens = slot.subjects, ctx.tokens
    if slot.right or not left or not trig.payload.act:
        return None
    near = left[0]
    if tokens[trig.first].norm.endswith("ed"):
        return None
    if near.last != trig.first or near.alias.kind != "names" or ctx.text[near.end:tokens[trig.first].start].strip():
        return None
    if near.actor.role in ARMED_ROLES:
        return None
    for s in left[1:]:
        if s.actor.bucket != near.actor.bucket:
            return Roles(trig, s, near, "modifier")
    return None


def genitive_possessor(ctx: SentenceContext, slot: Slot) -> Decided:
    """Albanian genitive: "sulmi **i Iranit** ndaj Izraelit" (the attack of Iran on Israel) —
    the possessor after the linking article did the act."""
    trig, right = slot.trigger, slot.right
    if ctx.grammar.genitive and right and right[0].first == trig.last + 1 and ctx.norm(trig.last) in ctx.grammar.genitive:
        return _pair(trig, right[0], right[1:], "direct")
    return None


def ezafe_possessor(ctx: SentenceContext, slot: Slot) -> Decided:
    """Persian possessive (ezafe) agents: "حمله ارتش اسرائیل به مواضع سپاه" (the attack *of* the
    Israeli army *on* IRGC positions) — the actor right after the act noun did it when a
    preposition of ``languages.fa.ezafe_objects`` (به, علیه) follows; the actor it introduces
    was hit. With no actor there ("حمله هوایی اسرائیل به غزه") the possessor's act hit no actor:
    nothing is coded, and a reaction to it is aimed at the possessor."""
    trig = slot.trigger
    ezafe = ctx.grammar.ezafe
    if not (ezafe and trig.payload.act):
        return None
    possessor = _ezafe_agent(trig, slot.right, ctx.tokens, ezafe, ctx.grammar.prepositions)
    if possessor is None:
        return None
    roles = _by_ezafe(trig, possessor, slot.right, ctx.tokens, ezafe)
    if roles is None:
        ctx.possessors[trig.first] = possessor
        return Skip(f"possessive agent {possessor.text}: its act hit no actor")
    return roles


def reaction_object_unnamed(ctx: SentenceContext, slot: Slot) -> Decided:
    """Object of a reaction: "condemned **the attack** on Israel" — whoever attacked is not
    named, and the one who reacts did not attack."""
    if slot.trigger.payload.act and _reacted_to(slot.trigger, ctx.reaction_ends, ctx.mentions):
        return Skip("object of a reaction: its own actor is not named")
    return None


def answered_act_unnamed(ctx: SentenceContext, slot: Slot) -> Decided:
    """Answer or reason: "retaliation for **the assassination** of a Hamas leader", "sanctions
    on Iranian officials over **the cyberattack**" — the act answered has no actor from before
    the answer, unless someone is blamed for it."""
    trig = slot.trigger
    if (trig.payload.act and _reacted_to(trig, ctx.answers, ctx.mentions)
            and not any(t.payload.accusation and t.last <= trig.first for t in ctx.triggers)):
        return Skip("answered act or reason: its own actor is not named")
    return None


def verb_final_order(ctx: SentenceContext, slot: Slot) -> Decided:
    """Verb-final clause (Persian): "اسرائیل تاسیسات ایران را هدف قرار داد" — with the verb
    last, the first actor of the clause acts on the next one."""
    trig = slot.trigger
    if not (ctx.grammar.sov and _verbal(trig, ctx.tokens, ctx.grammar.verb_endings)):
        return None
    before = [m for m in slot.mentions if slot.lo <= m.first and m.last <= trig.first]
    if len(before) < 2:
        return None
    return _pair(trig, before[0], before[1:], "sov")


def coordinated_verb(ctx: SentenceContext, slot: Slot) -> Decided:
    """Joined verbs: "Albania blames Iran ..., **cuts** ties" — a verb joined to the previous
    act with no actor between shares its subject; joined to an accusation, with no actor after
    it, it is aimed at the accused."""
    previous = ctx.previous
    if previous is None or not _coordinated(slot.trigger, ctx.tokens, ctx.text, previous, ctx.mentions):
        return None
    trig = slot.trigger
    near = [m for m in slot.right if trig.last + slot.window >= m.first]
    if not near and previous.trigger.payload.accusation:
        # "blames Iran for the hack, expels its diplomats": a measure joined to an accusation,
        # with no one named after it, is aimed at the accused.
        near = [previous.target]
    return _pair(trig, previous.source, near, "coord")


def subject_verb_object(ctx: SentenceContext, slot: Slot) -> Decided:
    """Subject-verb-object: "**Albania** expels **Iranian** diplomats" — the nearest actor before
    the trigger acts on the nearest after it within the type's ``target_window``; actors of the
    target's state are skipped as source. A joint act may name both sides before or after it
    ("Israel and Iran exchanged fire", "a ceasefire between Israel and Iran"). With no actor
    after it, the nearest actor of another state elsewhere is the target ("Iranian staff leave
    Tirana after expulsion"), at lower confidence. Not after a passive auxiliary without agent."""
    trig, tokens = slot.trigger, ctx.tokens
    if trig.first > 0 and tokens[trig.first - 1].norm in ctx.grammar.passive_aux:
        return Skip(f"passive ('{tokens[trig.first - 1].norm} ...') with no agent named")
    dangling = ctx.norm(trig.last) in ctx.grammar.prepositions and not any(
        trig.last < m.first <= trig.last + 3 for m in slot.right)
    roles = _default(trig, slot.subjects, slot.right, slot.mentions, slot.window, ctx.triggers, dangling)
    if roles is not None and roles.how == "fallback" and not roles.target.actor.watched and any(
            r.source.actor.bucket == roles.target.actor.bucket and r.target.actor.bucket == roles.source.actor.bucket
            for r in ctx.coded):
        # "The United States imposed sanctions on Iran's ministry ... for their involvement in the
        # cyberattack": a third state's measure names the act as its reason, not itself as its
        # victim ("Albania expelled Iranian diplomats, citing the cyberattack" does: the expeller
        # was hit).
        return Skip("a guessed target would only reverse a third state's act already coded in this sentence")
    return roles


#: The rules in the order they are tried: a more specific construction before a more general one.
RULES: list[Rule] = [
    passive_blamed_on,
    inverse_undergoer,
    agent_marker,
    done_in_act,
    postnominal_demonym,
    accused_did_act,
    possessor_decision,
    urged_party_acts,
    noun_modifier,
    genitive_possessor,
    ezafe_possessor,
    reaction_object_unnamed,
    answered_act_unnamed,
    verb_final_order,
    coordinated_verb,
    subject_verb_object,
]


# --------------------------------------------------------------------------------- the engine
def assign(ctx: SentenceContext, trace: list[Decision] | None = None, rules: Sequence[Rule] | None = None) -> list[Roles]:
    """Source and target for every trigger that a rule pairs (see the module docstring).

    ``trace``, when given, receives one :class:`Decision` per trigger: the rule that decided, or
    why nothing was coded."""
    for trig in ctx.triggers:
        slot = make_slot(ctx, trig)
        got: Decided = None
        name = ""
        for rule in rules if rules is not None else RULES:
            got = rule(ctx, slot)
            if got is not None:
                name = rule.__name__
                break
        if not isinstance(got, Roles):
            if trace is not None:
                trace.append(Decision(trig, name, None, got.reason if got is not None else why_not(ctx, slot)))
            continue
        roles = got._replace(rule=name)
        ctx.coded.append(roles)
        if trace is not None:
            trace.append(Decision(trig, name, roles))
        ctx.coded.extend(_coordinated_targets(roles, ctx.mentions, ctx.text))
        if roles.how == "direct" and 0 <= trig.first - roles.source.last <= 1:  # the subject right before the verb
            ctx.coded.extend(_coordinated_sources(roles, ctx.mentions, ctx.text))
        if name != "accused_did_act" and not any(0 <= trig.first - end <= REACTION_GAP + 1 for end in ctx.reaction_ends):
            # The object of a reaction ("condemns Hamas attack, stands with Israel") or of an
            # accusation is no clause of its own: a verb joined after it shares the first subject.
            ctx.previous = roles
    coded = ctx.coded
    return aim_reactions(coded, ctx.triggers, ctx.mentions, trace, ctx.possessors) if ctx.reaction_ends else list(coded)


def why_not(ctx: SentenceContext, slot: Slot) -> str:
    """Why no rule paired a trigger: what was missing around it."""
    if not slot.left and not slot.right:
        return "no actor in its clause"
    if not slot.subjects and not slot.right:
        return "no subject before it (actors there follow a preposition or modify another act) and none after"
    if not slot.right:
        return "no actor after it, and no other state's actor to take as target"
    near = [m for m in slot.right if m.first - slot.trigger.last <= slot.window]
    if not near:
        return f"no actor within {slot.window} words after it"
    if not slot.subjects:
        return "no subject before it (actors there follow a preposition or modify another act)"
    return "every actor before it is of the target's state"


# --------------------------------------------------------------------------------- helpers
def aim_reactions(coded: list[Roles], triggers: Sequence[Match], mentions: Sequence[Mention],
                  trace: list[Decision] | None = None, possessors: Mapping[int, Mention] | None = None) -> list[Roles]:
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
                    if trace is not None:
                        trace.append(Decision(trig, "aim_reactions", None,
                                              "reaction to an act whose actor is not named (or is its own side)"))
                    continue
                roles = roles._replace(target=actor)
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


def _reacted_to(trig: Match, reaction_ends: Sequence[int], mentions: Sequence[Mention]) -> bool:
    """True when ``trig`` is the object of a reaction ("condemned the attack", "welcomed the
    strikes"): a few words after one, with no actor between (which would name the act's own
    actor: "condemned Iran's attack", handled as a modifier)."""
    return any(0 <= trig.first - end <= REACTION_GAP and not any(end <= m.first < trig.first for m in mentions)
               for end in reaction_ends)


def _coordinated_targets(roles: Roles, mentions: Sequence[Mention], text: str) -> list[Roles]:
    """"blamed Israel and the United States": each actor joined to the target is a target too."""
    out = []
    last = roles.target
    for m in mentions:
        if m.first < last.last:
            continue
        if not _joined(last, m, text):
            break
        if m.actor.bucket != roles.source.actor.bucket and m.actor.bucket != last.actor.bucket:
            out.append(roles._replace(target=m, rule=roles.rule + "+joined_targets"))
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
            out.append(roles._replace(source=m, rule=roles.rule + "+joined_sources"))
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


def _participle_between(ctx: SentenceContext, start: int, stop: int) -> bool:
    """Whether a participle clause opens between two tokens: a comma then an -ing word
    (", drawing additional ire from Tehran")."""
    tokens = ctx.tokens
    return any(tokens[k].norm.endswith("ing") and "," in ctx.text[tokens[k - 1].end:tokens[k].start]
               for k in range(max(start, 1), min(stop, len(tokens))))


def _verbal(trig: Match, tokens: Sequence[Token], verb_endings: frozenset[str]) -> bool:
    last = tokens[trig.last - 1].norm
    nxt = tokens[trig.last].norm if trig.last < len(tokens) else ""
    return last in verb_endings or nxt in verb_endings


def _coordinated(trig: Match, tokens: Sequence[Token], text: str, previous: Roles, mentions: Sequence[Mention]) -> bool:
    if trig.first == 0:
        return False
    joined = tokens[trig.first - 1].norm in COORDINATORS or "," in text[tokens[trig.first - 1].end:tokens[trig.first].start]
    # Another actor between is the new verb's subject ("Albania blames Iran, Israel cuts ties");
    # the first verb's own object is not ("Albania blames Iran for the hack, expels ...").
    # A reaction's object is the act it is about ("condemns Iran's drone and missile attack").
    own = None if previous.trigger.payload.reaction else previous.target
    between = any(previous.trigger.last <= m.first and m.last <= trig.first and m is not own for m in mentions)
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
