"""The real-news check reads dated items with required events and flags rises away from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.realcheck import dated_relevant, main


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def row(n: int, title: str, day: str | None, events: list[dict]) -> dict:
    return {"id": f"t-{n}", "title": title, "body": "", "published_at": day and f"{day}T12:00:00Z", "language": "en",
            "source": f"outlet {n}", "url": None, "expected": {"events": events}}


ATTACK = {"source": "IRN", "target": "ISR", "cameo_root": ["19"], "modality": ["ASSERTED"]}


def test_only_dated_items_with_a_required_event_are_read(tmp_path: Path) -> None:
    labeled = tmp_path / "labeled.jsonl"
    write(labeled, [
        row(1, "Iran fires missiles at Israel", "2024-10-01", [ATTACK]),
        row(2, "Iran fires missiles at Israel", None, [ATTACK]),
        row(3, "Albania praises Israel", "2024-10-02", [{**ATTACK, "optional": True}]),
        row(4, "Weather in Tirana", "2024-10-03", []),
    ])
    assert [(a["id"], dyads) for a, dyads in dated_relevant(labeled)] == [("t-1", {"IRN-ISR"})]


def test_a_rise_on_an_event_day_passes_and_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labeled = tmp_path / "labeled.jsonl"
    write(labeled, [row(k, "Iran fires missiles at Israel", "2024-10-01", [ATTACK]) for k in range(25)])
    folder = tmp_path / "articles"
    folder.mkdir()
    assert main([str(labeled), str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "25 dated relevant articles, 25 events on watched dyads, 1 dyad event days"
    assert out[1].startswith("ok   IRN-ISR 2024-10-02 CALM -> HIGH")
    assert out[-1] == "1/1 dyad event days read above CALM within 3 days; 1 level rises, 0 away from every event day"
    assert main([str(tmp_path / "missing.jsonl"), str(folder)]) == 2
    assert main([]) == 2
