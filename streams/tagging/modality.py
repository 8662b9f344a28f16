"""How a sentence presents an act: asserted, claimed, attributed, alleged, denied, threatened, planned."""

from __future__ import annotations

from collections.abc import Sequence

from streams.tagging.gazetteer import Mention
from streams.tagging.phrases import Match
from streams.tagging.roles import Roles
from streams.tagging.rules import Rules

# Cues that only make sense before the act they qualify ("denied attacking", "may strike"), in
# languages that put the verb first; in verb-final ones (Persian) the verb follows its object:
# "حمله سایبری ... را تکذیب کرد" (denied the cyberattack).
BEFORE_ONLY = frozenset({"DENIED", "HYPOTHETICAL", "THREATENED"})


def decide(
    roles: Roles,
    cues: Sequence[Match],
    reporting: Sequence[Match],
    mentions: Sequence[Mention],
    rules: Rules,
    verb_final: bool = False,
    triggers: Sequence[Match] = (),
    answers: Sequence[int] = (),
) -> tuple[str, Match | None]:
    """(modality, the cue that decided it or None) for one coded trigger.

    Statements (condemn, urge, meet…) are ASSERTED: they are the act reported. Acts take the
    highest-ranked cue near the trigger; with none, an act reported by another actor ("Albania
    says an Iran-backed group wiped…") is ATTRIBUTED, else ASSERTED.

    A cue does not reach across an answer to an act (``answers``: where "retaliation for" and
    the like end): in "in apparent retaliation for Iran's attack" the attack is not apparent.
    A cue after the trigger does not reach across another act (``triggers``): in "expelled
    its diplomats over a cyberattack it blamed on Tehran" the blame is the cyberattack's. Nor
    does one before it reach across an accusation, which presents the act itself: "would
    hold Iran accountable for the cyberattack" does not make the cyberattack hypothetical.
    """
    trig = roles.trigger
    if not trig.payload.act:
        return "ASSERTED", None
    best: tuple[int, Match] | None = None
    for cue in cues:
        if cue.last <= trig.first:
            ok = (trig.first - cue.last <= rules.window_before and not any(cue.last <= a <= trig.first for a in answers)
                  and not any(cue.last <= t.first < trig.first and t.payload.accusation for t in triggers))
        elif cue.first >= trig.last:
            ok = ((verb_final or cue.payload not in BEFORE_ONLY) and cue.first - trig.last <= rules.window_after
                  and not any(trig.last <= t.first < cue.first and t.payload.act for t in triggers))
        else:
            ok = False
        if ok:
            rank = rules.modality_rank[cue.payload]
            if best is None or rank < best[0]:
                best = (rank, cue)
    if best is not None:
        return best[1].payload, best[1]
    src = roles.source
    for rep in reporting:
        if rep.last <= src.first and any(
            m.last <= rep.first and m.actor.bucket != src.actor.bucket for m in mentions
        ):
            return "ATTRIBUTED", rep
    return "ASSERTED", None
