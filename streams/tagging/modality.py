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
) -> tuple[str, Match | None]:
    """(modality, the cue that decided it or None) for one coded trigger.

    Statements (condemn, urge, meet…) are ASSERTED: they are the act reported. Acts take the
    highest-ranked cue near the trigger; with none, an act reported by another actor ("Albania
    says an Iran-backed group wiped…") is ATTRIBUTED, else ASSERTED.
    """
    trig = roles.trigger
    if not trig.payload.act:
        return "ASSERTED", None
    best: tuple[int, Match] | None = None
    for cue in cues:
        if cue.last <= trig.first:
            ok = trig.first - cue.last <= rules.window_before
        elif cue.first >= trig.last:
            ok = (verb_final or cue.payload not in BEFORE_ONLY) and cue.first - trig.last <= rules.window_after
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
