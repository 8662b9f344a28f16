"""Backtest: run the tagger and the indicator maths over a dated timeline and check known dates.

``samples/timeline.yaml`` lists real dates the indicators should react to. A ``rise`` entry
passes when the dyad's tension index climbs by at least ``RISE_POINTS`` (or its level goes
up) within ``REACTION`` of the date and, when the entry names a ``level``, the highest level
in that time is exactly that level; a ``cooperative`` entry passes when the dyad's decayed
cooperation score climbs in that time without its level leaving CALM; a ``fall`` entry
passes when the dyad's level ``FALL_WITHIN`` after the date is exactly its ``level``.
Independently of the timeline, every snapshot whose longest window holds no conflict event
must be back at CALM: levels fall back after quiet weeks.

An entry's ``coverage`` is how many independent outlets carried the story on each of its
``days`` (1 unless given): the bundled sample has one or two articles per event where the
real record has dozens or hundreds, so the sample reports of that dyad on those days stand
for that many outlets, shared evenly among them (their ``num_sources``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from streams.errors import InputError
from streams.indicators import batch_indicators
from streams.indicators.levels import LEVELS
from streams.records import utc
from streams.settings import Settings, resource_dir
from streams.tagging import Tagger

TIMELINE = resource_dir("samples") / "timeline.yaml"
#: How soon after the reported date the indicator must react (reports lag events by a day).
REACTION = timedelta(days=3)
#: The smallest climb of the 0-100 index that counts as a visible rise.
RISE_POINTS = 5.0
#: When a ``fall`` entry's level is read: three half-lives after the date.
FALL_WITHIN = timedelta(days=21)
EXPECTS = ("rise", "cooperative", "fall")


@dataclass(frozen=True)
class Expectation:
    """One dated entry of the timeline."""

    dyad: str
    day: date
    expect: str
    what: str
    level: str | None = None
    coverage: int = 1
    days: int = 1


@dataclass(frozen=True)
class Verdict:
    """Whether the indicators did what an entry expects, and the figures that show it."""

    entry: Expectation
    ok: bool
    before: float
    after: float
    level_before: str
    level_after: str


@dataclass
class Backtest:
    """Everything a backtest computed: events, snapshots, verdicts and quiet-period failures."""

    events: list[dict[str, Any]]
    snapshots: list[dict[str, Any]]
    verdicts: list[Verdict]
    not_calm_when_quiet: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts) and not self.not_calm_when_quiet


def load_timeline(path: Path = TIMELINE) -> list[Expectation]:
    """The timeline entries; a malformed entry names the file and its index."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML ({exc})") from None
    entries = []
    for n, item in enumerate(raw):
        try:
            day = item["date"] if isinstance(item["date"], date) else date.fromisoformat(str(item["date"]))
            if item["expect"] not in EXPECTS:
                raise ValueError(f"unknown expect {item['expect']!r} (known: {', '.join(EXPECTS)})")
            level = item.get("level")
            if level is not None and level not in LEVELS:
                raise ValueError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")
            if item["expect"] == "fall" and level is None:
                raise ValueError("a fall entry names the level it falls to")
            coverage, span = item.get("coverage", 1), item.get("days", 1)
            for name, value in (("coverage", coverage), ("days", span)):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
            entries.append(Expectation(str(item["dyad"]), day, str(item["expect"]), str(item.get("what", "")),
                                       level, coverage, span))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: entry {n}: {exc}") from None
    return entries


def run_backtest(settings: Settings, articles: Sequence[dict[str, Any]], timeline: Sequence[Expectation]) -> Backtest:
    """Tag the articles, compute daily snapshots, and judge every timeline entry."""
    tagger = Tagger.from_settings(settings)
    events = with_coverage([event for article in articles for event in tagger.tag(article)], timeline)
    events.sort(key=lambda e: (e["event_time"], e["event_id"]))
    snapshots, _, _ = batch_indicators(events, settings.indicators)
    series: dict[str, list[dict[str, Any]]] = {}
    for snap in snapshots:
        series.setdefault(snap["dyad"], []).append(snap)
    verdicts = [_judge(entry, series.get(entry.dyad, [])) for entry in timeline]
    quiet = [
        s for s in snapshots
        if s["windows"][-1]["conflict_sum"] == 0.0 and s["level"] != "CALM"
    ]
    return Backtest(events, snapshots, verdicts, quiet)


def with_coverage(events: list[dict[str, Any]], timeline: Sequence[Expectation]) -> list[dict[str, Any]]:
    """The events with the timeline's coverage: a dyad-day's outlets share its ``coverage``."""
    coverage: dict[tuple[str, date], int] = {}
    for entry in timeline:
        for k in range(entry.days):
            key = (entry.dyad, entry.day + timedelta(days=k))
            coverage[key] = max(coverage.get(key, 1), entry.coverage)
    outlets: dict[tuple[str, date], set[str]] = {}
    for event in events:
        key = (str(event.get("dyad")), utc(event["event_time"]).date())
        if key in coverage:
            outlets.setdefault(key, set()).add(str(event.get("outlet") or event["article_id"]))
    out = []
    for event in events:
        key = (str(event.get("dyad")), utc(event["event_time"]).date())
        if key in outlets:
            event = {**event, "num_sources": math.ceil(coverage[key] / len(outlets[key]))}
        out.append(event)
    return out


def _at_or_before(series: list[dict[str, Any]], moment: datetime) -> dict[str, Any] | None:
    found = None
    for snap in series:
        if utc(snap["as_of"]) <= moment:
            found = snap
        else:
            break
    return found


def _judge(entry: Expectation, series: list[dict[str, Any]]) -> Verdict:
    start = datetime(entry.day.year, entry.day.month, entry.day.day, tzinfo=UTC)
    before = _at_or_before(series, start)
    window = [s for s in series if start < utc(s["as_of"]) <= start + REACTION]
    base_index = before["tension_index"] if before else 0.0
    base_coop = before["cooperation_score"] if before else 0.0
    base_level = before["level"] if before else "CALM"
    if not window:
        return Verdict(entry, False, base_index, base_index, base_level, base_level)
    if entry.expect == "rise":
        peak = max(window, key=lambda s: (s["tension_index"], LEVELS.index(s["level"])))
        top_level = max((s["level"] for s in window), key=LEVELS.index)
        ok = peak["tension_index"] >= base_index + RISE_POINTS or LEVELS.index(top_level) > LEVELS.index(base_level)
        ok = ok and entry.level in (None, top_level)
        return Verdict(entry, ok, base_index, peak["tension_index"], base_level, top_level)
    if entry.expect == "fall":
        late = _at_or_before(series, start + FALL_WITHIN)
        assert late is not None  # the window above is not empty
        return Verdict(entry, late["level"] == entry.level, base_index, late["tension_index"], base_level,
                       late["level"])
    peak = max(window, key=lambda s: s["cooperation_score"])
    calm = all(s["level"] == "CALM" for s in window)
    return Verdict(entry, peak["cooperation_score"] > base_coop and calm, base_coop, peak["cooperation_score"],
                   base_level, "CALM" if calm else max((s["level"] for s in window), key=LEVELS.index))


def render_chart(result: Backtest, timeline: Sequence[Expectation], output: Path, settings: Settings) -> None:
    """A PNG with one panel per dyad: index with level bands, conflict/cooperation bars, the dates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    dyads = sorted({s["dyad"] for s in result.snapshots} | {e.dyad for e in timeline})
    fig, axes = plt.subplots(len(dyads), 1, figsize=(14, 3.4 * len(dyads)), sharex=True, squeeze=False)
    thresholds = [0.0, *settings.indicators.levels.enter.values(), 100.0]
    band_colors = ["#e8f5e9", "#fff8e1", "#ffe0b2", "#ffccbc", "#ffcdd2"]
    for ax, dyad in zip(axes[:, 0], dyads, strict=True):
        series = [s for s in result.snapshots if s["dyad"] == dyad]
        for low, high, color, name in zip(thresholds, thresholds[1:], band_colors, LEVELS, strict=False):
            ax.axhspan(low, high, color=color, zorder=0)
            ax.text(0.003, (low + high) / 2, name, transform=ax.get_yaxis_transform(), fontsize=7, va="center",
                    color="#555555")
        times = [s["as_of"] for s in series]
        ax.plot(times, [s["tension_index"] for s in series], color="#b71c1c", lw=1.2, label="tension index")
        ax2 = ax.twinx()
        ax2.bar(times, [s["windows"][0]["conflict_sum"] for s in series], width=6.0, color="#d32f2f", alpha=0.5,
                label="conflict (1d)")
        ax2.bar(times, [s["windows"][0]["cooperation_sum"] for s in series], width=6.0, color="#2e7d32", alpha=0.5,
                label="cooperation (1d)")
        ax2.set_ylabel("Goldstein sum / day", fontsize=8)
        verdicts = {(v.entry.dyad, v.entry.day): v for v in result.verdicts}
        for entry in (e for e in timeline if e.dyad == dyad):
            verdict = verdicts.get((entry.dyad, entry.day))
            color = "#1b5e20" if verdict and verdict.ok else "#880e4f"
            ax.axvline(datetime(entry.day.year, entry.day.month, entry.day.day), color=color, ls=":", lw=0.9)
        ax.set_ylim(0, 100)
        ax.set_ylabel(f"{dyad}\nindex 0-100")
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(lines, [str(h.get_label()) for h in lines], loc="upper right", fontsize=7)
        low, high = ax2.get_ylim()
        bound = max(abs(low), abs(high), 1.0)
        ax2.set_ylim(-bound, bound)
    passed = sum(v.ok for v in result.verdicts)
    fig.suptitle(f"geotension backtest: {passed}/{len(result.verdicts)} dated expectations met "
                 f"(dotted lines: green met, red missed)", fontsize=11)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=110)
    plt.close(fig)
