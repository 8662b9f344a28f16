"""fold() gives exactly its definition: each character lowered, then mapped by the fold table."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.tagging import normalize
from streams.tagging.normalize import TATWEEL, fold

# Every character the fold table maps, with ASCII, Latin-1 and the letters that lower oddly.
_MAPPED = sorted(chr(cp) for cp in normalize._FOLD)
_PLAIN = list("aZ 09.,'\"-\n") + ["ä", "ß", "\xa0", "ÿ", "İ", "Å", "\u212a", "Ж", "ש", "ا", "ی", "\U00010400", "\ud800"]


def _reference(text: str) -> str:
    out = []
    for c in text:
        low = c.lower() if len(c.lower()) == 1 else c
        out.append(normalize._FOLD.get(ord(low), low))
    return "".join(out)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MAPPED + _PLAIN) | st.characters(), max_size=30))
def test_fold_is_its_definition(text: str) -> None:
    folded = fold(text)
    assert folded == _reference(text)
    assert len(folded) == len(text)


def test_fold_examples() -> None:
    assert fold("Shqipëria dënon") == "shqiperia denon"
    assert fold("STRASSE ß\xa0x") == "strasse s x"
    assert fold("آلبانی\u200cها") == "البانی ها"
    assert fold("צה״ל") == 'צה"ל'
    assert fold("اِیران") == f"ا{TATWEEL}یران"
    assert fold("İstanbul") == "istanbul"  # kept as written by lower(), then folded to its base letter
