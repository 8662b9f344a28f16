"""Developer check on real news: tag dated relevant articles, feed the indicators, see where levels rise.

Usage (``make realcheck`` passes the labelled set and the folder of full articles)::

    python -m streams.realcheck LABELED.jsonl ARTICLES_DIR

Articles are the dated items of the labelled file that carry at least one required
(non-optional) expected event, plus every article of ``ARTICLES_DIR/*.jsonl``. Each
expected event names its dyad, so the article's day is an *event day* of that dyad. The
check prints every day a dyad's level rises and says whether it lies within the backtest's
reaction time of an event day; it exits 1 when a level rises away from every event day.
Nothing is written: the text stays where it is.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from streams.backtest import REACTION
from streams.errors import InputError
from streams.indicators import batch_indicators
from streams.indicators.levels import LEVELS
from streams.records import article_from_mapping, utc
from streams.settings import load_settings
from streams.tagging import Tagger


def dated_relevant(path: Path) -> list[tuple[dict[str, Any], set[str]]]:
    """(NewsArticle, dyads of its required events) for each dated relevant line of ``path``."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expected = raw.get("expected") or {}
            dyads = {"-".join(sorted((e["source"], e["target"]))) for e in expected.get("events", [])
                     if not e.get("optional")}
            if raw.get("published_at") and dyads:
                out.append((article_from_mapping(raw), dyads))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m streams.realcheck LABELED.jsonl ARTICLES_DIR", file=sys.stderr)
        return 2
    labeled, folder = Path(argv[0]), Path(argv[1])
    if not labeled.is_file() or not folder.is_dir():
        print(f"realcheck: {labeled if not labeled.is_file() else folder} not found", file=sys.stderr)
        return 2
    items = dated_relevant(labeled)
    for extra in sorted(folder.glob("*.jsonl")):
        items.extend(dated_relevant(extra))
    settings = load_settings()
    tagger = Tagger.from_settings(settings)
    events = [e for article, _ in items for e in tagger.tag(article) if e.get("dyad")]
    events.sort(key=lambda e: (e["event_time"], e["event_id"]))
    event_days: dict[str, set[date]] = {}
    for article, dyads in items:
        for dyad in dyads:
            event_days.setdefault(dyad, set()).add(utc(article["published_at"]).date())
    snapshots, _, _ = batch_indicators(events, settings.indicators)
    print(f"{len(items)} dated relevant articles, {len(events)} events on watched dyads, "
          f"{sum(len(d) for d in event_days.values())} dyad event days")
    rises, stray = 0, 0
    previous: dict[str, str] = {}
    for snap in snapshots:
        dyad, level = snap["dyad"], snap["level"]
        before = previous.get(dyad, "CALM")
        previous[dyad] = level
        if LEVELS.index(level) <= LEVELS.index(before):
            continue
        day = utc(snap["as_of"]).date()
        near = sorted(d for d in event_days.get(dyad, ()) if timedelta(0) < day - d <= REACTION + timedelta(days=1))
        rises += 1
        stray += not near
        print(f"{'ok  ' if near else 'STRAY'} {dyad} {day} {before} -> {level} (index {snap['tension_index']:.1f})"
              + (f"  event day {near[-1]}" if near else "  no event day within the reaction time"))
    felt = sum(
        any(LEVELS.index(s["level"]) > 0 for s in snapshots
            if s["dyad"] == dyad and timedelta(0) < utc(s["as_of"]).date() - d <= REACTION)
        for dyad, days in event_days.items() for d in days)
    total = sum(len(d) for d in event_days.values())
    print(f"{felt}/{total} dyad event days read above CALM within {REACTION.days} days; "
          f"{rises} level rises, {stray} away from every event day")
    return 1 if stray else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
