"""Mentions that take no part in a sentence's acts, and agents no phrase list can express.

Each function is one construction of how news is written, in the languages whose config
switches it on (``events.yaml``):

* :func:`without_backers` — "the Houthis, backed by Iran, fired ...": the backer named after
  an actor takes no part in its acts.
* :func:`without_datelines` — "TEHRAN (Reuters) -", "تهران-ایرنا-": the city of a dateline is
  where the story was filed, not an actor.
* :func:`without_negated` — "anti-Iranian groups", "گروه‌های ضد ایرانی": the people against a
  state are not that state.
* :func:`prefix_agents` — Hebrew "שיגורים מאיראן" (launches *from* Iran): a one-letter
  preposition glued to the name makes it the agent.
* :func:`attribution_agents` — "attributed to": Hebrew "יוחסה לאיראן" (ל glued after the word
  of attribution), Persian "این حمله را به ایران نسبت دادند" (به before the name, the verb
  نسبت after it): the name is who did the act before.
* :func:`inside_name` — "the South-East European Cooperation Process": a trigger word inside
  the proper name of a forum or process is no act.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from streams.tagging.gazetteer import Mention
from streams.tagging.phrases import Match
from streams.tagging.sentences import Token

BACKED_GAP = 3  # words between an actor and the phrase naming its backer ("the Houthis in Yemen, backed by")
ATTRIBUTION_GAP = 6  # words between Persian "به" and "نسبت" (the name and a description of it)

# After a dateline's city: "(Agency)" and a dash or colon; a spaced dash; or "-Agency-".
_DATELINE = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*[-–—:]|[-–—]\s|[-–—]\s*\w+\s*[-–—])")


def without_backers(mentions: Sequence[Mention], backers: Sequence[Match], tokens: Sequence[Token],
                    passive_aux: Collection[str] = ()) -> list[Mention]:
    """The mentions less each backer of another actor: "the Houthis, backed by Iran, fired",
    "החות'ים הנתמכים על ידי איראן". With no actor before the phrase ("hackers backed by Iran
    attacked") the backer is who acts and is kept, and so is the agent of a passive ("Israel
    was backed by Albania")."""
    drop: set[int] = set()
    for b in backers:
        backed = any(0 <= b.first - m.last <= BACKED_GAP
                     and not any(t.norm in passive_aux for t in tokens[m.last:b.first]) for m in mentions)
        if backed:
            drop.update(m.first for m in mentions if 0 <= m.first - b.last <= 1)
    return [m for m in mentions if m.first not in drop] if drop else list(mentions)


def without_datelines(mentions: Sequence[Mention], text: str) -> list[Mention]:
    """The mentions less a dateline's city at the start of the sentence ("TEHRAN (Reuters) -",
    "Tehran - ", "تهران-ایرنا-"). "Iran-Israel tensions" (a dash with no space after) is no
    dateline."""
    if not mentions or text[:mentions[0].start].strip() or _DATELINE.match(text, mentions[0].end) is None:
        return list(mentions)
    return list(mentions[1:])


def without_negated(mentions: Sequence[Mention], tokens: Sequence[Token], anti: Collection[str]) -> list[Mention]:
    """The mentions less those right after a word such as "anti" or "ضد": "anti-Iranian
    activists" are no part of Iran."""
    if not anti:
        return list(mentions)
    return [m for m in mentions if not (m.first > 0 and tokens[m.first - 1].norm in anti)]


def prefix_agents(mentions: Sequence[Mention], prefixes: str) -> list[Match]:
    """Agent markers glued to a name: Hebrew "שיגורים מאיראן" (launches from Iran) names who
    launched, as "fired from" does in English. Zero-width matches at the name."""
    return [Match(m.first, m.first, "BY") for m in mentions if m.glued and m.glued[-1] in prefixes]


def attribution_agents(mentions: Sequence[Mention], tokens: Sequence[Token], glued_words: Collection[str],
                       before_words: Collection[str], verbs: Collection[str]) -> list[Match]:
    """Agent markers of an attribution. Hebrew: a name with ל glued to it right after a word of
    ``glued_words`` ("המתקפה יוחסה לאיראן"). Persian: a word of ``before_words`` (به) before the
    name and a verb of ``verbs`` (نسبت) a few words after it ("این حمله را به گروهی ... نسبت
    دادند"). Zero-width matches at the name, as :func:`prefix_agents`."""
    out = []
    for m in mentions:
        if glued_words and m.glued.endswith("ל") and m.first > 0 and (
                tokens[m.first - 1].norm in glued_words or tokens[m.first - 1].lemma in glued_words):
            out.append(Match(m.first, m.first, "BY"))
        elif before_words and verbs and any(t.norm in before_words for t in tokens[max(0, m.first - 4):m.first]) and any(
                t.norm in verbs or t.lemma in verbs for t in tokens[m.last:m.last + ATTRIBUTION_GAP]):
            out.append(Match(m.first, m.first, "BY"))
    return out


def inside_name(trigger: Match, tokens: Sequence[Token], text: str, taken: Collection[int],
                heads: Collection[str], linkers: Collection[str]) -> bool:
    """Whether a trigger lies inside a proper name: a run of capitalised words (joined by
    ``linkers``, not crossing punctuation or an actor's name) that holds, besides the trigger,
    a word of ``heads`` ("Cooperation **Process**", "Partnership **Forum**", Albanian "**Procesi**
    i Bashkëpunimit"). A name starting the sentence is a run too, so a headline in title case
    ("Albania Hosts Cooperation Forum") keeps its verb only when an actor's name ends the run."""
    if not all(tokens[k].orig[:1].isupper() for k in range(trigger.first, trigger.last)):
        return False

    def joined(k: int, j: int) -> bool:  # nothing but spaces or a hyphen between tokens k and j
        return not text[tokens[k].end:tokens[j].start].strip(" -")

    def member(k: int) -> bool:
        return k not in taken and (tokens[k].orig[:1].isupper() or tokens[k].norm in linkers)

    lo = trigger.first
    while lo > 0 and member(lo - 1) and joined(lo - 1, lo):
        lo -= 1
    hi = trigger.last
    while hi < len(tokens) and member(hi) and joined(hi - 1, hi):
        hi += 1
    words = [k for k in range(lo, hi) if not trigger.first <= k < trigger.last]
    stems = tuple(h[:-1] for h in heads if h.endswith("*"))
    return any(tokens[k].orig[:1].isupper() and (tokens[k].norm in heads or tokens[k].lemma in heads
                                                   or (stems and tokens[k].norm.startswith(stems))) for k in words)
