"""The live indicator table of ``geotension tail tension.indicators --follow``."""

from __future__ import annotations

from typing import Any

from streams.commands.tail import IndicatorTable


def snap(dyad: str, as_of: str, revision: int, index: float, level: str = "CALM", provisional: bool = False) -> dict[str, Any]:
    return {"dyad": dyad, "as_of": as_of, "revision": revision, "level": level, "tension_index": index,
            "provisional": provisional,
            "windows": [{"window": "1d", "conflict_sum": -7.5, "cooperation_sum": 1.0, "event_count": 3}]}


def test_one_row_per_dyad_newest_wins_and_exact_rendering() -> None:
    table = IndicatorTable()
    assert table.update(snap("IRN-ISR", "2025-06-14T00:00:00Z", 0, 12.0)) is True
    assert table.update(snap("ALB-IRN", "2022-09-08T00:00:00Z", 1, 61.25, "SEVERE", provisional=True)) is True
    assert table.update(snap("ALB-IRN", "2022-09-08T00:00:00Z", 0, 50.0)) is False  # older revision
    assert table.update(snap("ALB-IRN", "2022-09-07T00:00:00Z", 4, 10.0)) is False  # older as_of
    assert table.render() == "\n".join([
        "dyad     as of             rev  level   index  conflict  coop  events",
        "-------  ----------------  ---  ------  -----  --------  ----  ------  -----------",
        "ALB-IRN  2022-09-08 00:00  1    SEVERE  61.2   -7.5      1.0   3       provisional",
        "IRN-ISR  2025-06-14 00:00  0    CALM    12.0   -7.5      1.0   3",
    ])
    assert table.line("ALB-IRN") == "ALB-IRN 2022-09-08 00:00 1 SEVERE 61.2 -7.5 1.0 3 provisional"
