"""A whole article, not a lede: every act of the watched states coded, none of the background.

The story is written for this test in the shape of a long news feature: a claimed attack in the
lede, then history, reported speech, sanctions by a third state, a place the act comes from, a
possessor far from the act, a background clause and an act given as a reason.
"""

from __future__ import annotations

from streams.tagging import Tagger

from .conftest import article

TITLE = "Iranian hackers claim attack on Albanian port authority"
BODY = " ".join([
    "DURRES, Albania — An Iranian hacking group has claimed responsibility for an attack on the website of the "
    "Albanian port authority, knocking its booking system offline for two days.",
    "The group posted screenshots of internal files on Saturday.",
    "Officials in Durres said the damage was still being assessed.",
    "Iranian officials have long complained that the exiled opposition uses Albania as a base to run propaganda "
    "campaigns against Iran.",
    "The dispute has deep roots.",
    "In 2022, Albania cut diplomatic ties with Iran, the first break of its kind resulting from a cyberattack.",
    "The United States imposed sanctions on Iran's Ministry of Intelligence and its minister for their part in the "
    "cyberattack.",
    "Washington called Iran's conduct a serious violation of the rules of cyberspace and renewed its full support for "
    "Albania, a NATO member.",
    "Albania has been one of the firmest backers of Israel in Europe, drawing open anger from Tehran.",
    "As Albania counts the cost, several analysts warn that Iran's hacking campaign is far from over — and that "
    "Tirana's choices keep it in the line of fire.",
    "Port workers returned to paper forms on Monday.",
    "Albania has also aligned itself with Israel, condemning Iran's missile programme and its recent attacks on "
    "Israeli cities.",
    "Prime Minister Edi Rama called on Iran to stop its attacks on Israel.",
    "The authority expects its systems to be restored by Friday.",
])


def test_every_act_is_coded_and_no_background_is(tagger: Tagger) -> None:
    events = tagger.tag(article(TITLE, BODY))
    got = sorted({(e["source"]["country"], e["target"]["country"], e["cameo_code"][:2]) for e in events
                  if e["dyad"] is not None})
    assert got == [
        ("ALB", "IRN", "02"),  # called on Iran to stop
        ("ALB", "IRN", "11"),  # condemning Iran's programme
        ("ALB", "IRN", "16"),  # cut ties
        ("ALB", "ISR", "05"),  # backers of / aligned with Israel
        ("IRN", "ALB", "17"),  # the claimed hack
        # "called on Iran to stop its attacks on Israel": the appealed party's act; a bare
        # "attacks" takes the story's topic (cyber) for its code.
        ("IRN", "ISR", "17"),
        ("IRN", "ISR", "19"),  # Iran's attacks on Israeli cities
    ]
    # The classes of error the rules keep out: a place as actor, a possessor as subject, a
    # background clause's actor, an act given as a reason, a sanction reversed.
    wrong = {("ALB", "IRN", "17"), ("IRN", "ALB", "05"), ("IRN", "ISR", "05"), ("ALB", "IRN", "13"),
             ("IRN", "USA", "17")}
    assert not wrong & {(e["source"]["country"], e["target"]["country"], e["cameo_code"][:2]) for e in events}
