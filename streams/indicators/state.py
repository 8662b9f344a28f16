"""Per-dyad indicator state: reports merged into real-world events, and what was emitted.

The state is plain data (``to_dict``/``from_dict`` round-trip through JSON) so a faust table
can store it and the batch command can build the same object in memory.

"The same event" reported by many outlets is identified by direction (source and target
country), CAMEO code and the UTC time bucket of ``dedupe_window`` (one day by default). Its
reports merge order-independently: the weight is the largest report weight, ``num_sources``
adds up, the time is the earliest report's, and the representative report (whose sentence and
link are shown) is the one with the largest weight, ties broken by the smallest event id. A
report whose ``event_id`` was already merged is ignored, so redelivery is harmless.
``coverage`` keeps each outlet's largest ``num_sources`` (an article without an outlet is its
own outlet), so two reports from one outlet count once; ``scaled`` is true once any report
carried evidence of scale; ``source_role`` is the representative report's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MergedEvent:
    """One real-world event, possibly reported many times."""

    key: str
    source: str
    target: str
    cameo_code: str
    quad_class: int
    goldstein: float
    time_ms: int
    weight: float
    num_sources: int
    rep_id: str
    modality: str
    sentence: str
    outlet: str | None
    url: str | None
    ids: list[str] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    scaled: bool = False
    source_role: str = ""

    @property
    def coverage_count(self) -> int:
        """Independent reports of the event: the outlets' ``num_sources`` added up."""
        return max(1, sum(self.coverage.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "source": self.source, "target": self.target, "cameo_code": self.cameo_code,
            "quad_class": self.quad_class, "goldstein": self.goldstein, "time_ms": self.time_ms,
            "weight": self.weight, "num_sources": self.num_sources, "rep_id": self.rep_id,
            "modality": self.modality, "sentence": self.sentence, "outlet": self.outlet, "url": self.url,
            "ids": list(self.ids), "coverage": dict(sorted(self.coverage.items())), "scaled": self.scaled,
            "source_role": self.source_role,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MergedEvent:
        return cls(**{**data, "ids": list(data.get("ids", [])), "coverage": dict(data.get("coverage") or {})})


@dataclass
class DyadState:
    """Everything the indicator engine remembers about one dyad."""

    dyad: str
    first_ms: int | None = None
    watermark_ms: int | None = None
    merged: dict[str, MergedEvent] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    # as_of (ms) → [revision, level, level_since_ms, provisional]
    emitted: dict[int, list[Any]] = field(default_factory=dict)
    # as_of (ms) → [alert_id, status, correction] of the last alert record of that step
    alerts: dict[int, list[Any]] = field(default_factory=dict)
    # The input partition the dyad's events come from and the newest event time seen on it
    # (the partition clock, see streams.indicators.clock): lateness and pruning go by it.
    partition: int | None = None
    partition_ms: int | None = None
    # Derived, rebuilt by the engine after loading: bucket start → merged keys, the aggregates,
    # and the buckets changed since the owner last persisted them.
    bucket_keys: dict[int, set[str]] | None = field(default=None, compare=False, repr=False)
    series: Any = field(default=None, compare=False, repr=False)
    dirty: set[int] = field(default_factory=set, compare=False, repr=False)
    # True after loading from storage, until the first redelivered event has re-emitted.
    restored: bool = field(default=False, compare=False, repr=False)
    # Earliest step a deferred call still has to emit (see IndicatorEngine.flush); memory only:
    # a crash before the flush re-delivers the events, which emit again.
    pending_from: int | None = field(default=None, compare=False, repr=False)

    def head(self) -> dict[str, Any]:
        """Everything but the merged events: small, rewritten on every event."""
        return {
            "dyad": self.dyad,
            "first_ms": self.first_ms,
            "watermark_ms": self.watermark_ms,
            "emitted": [[k, *v] for k, v in sorted(self.emitted.items())],
            "alert_steps": [[k, *v] for k, v in sorted(self.alerts.items())],
            "partition": self.partition,
            "partition_ms": self.partition_ms,
        }

    def bucket_records(self, start: int, keys: set[str] | None) -> list[dict[str, Any]]:
        """The merged events of one bucket, for storing that bucket alone."""
        return [self.merged[k].to_dict() for k in sorted(keys or ())]

    def to_dict(self) -> dict[str, Any]:
        """The whole state as one JSON-able value (tests, debugging)."""
        return {**self.head(), "merged": [m.to_dict() for m in self.merged.values()]}

    @classmethod
    def from_parts(cls, head: dict[str, Any], buckets: list[list[dict[str, Any]]]) -> DyadState:
        """Rebuild from a head and the stored buckets' merged events."""
        return cls.from_dict({**head, "merged": [m for bucket in buckets for m in bucket]})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DyadState:
        state = cls(dyad=data["dyad"], first_ms=data.get("first_ms"), watermark_ms=data.get("watermark_ms"),
                    partition=data.get("partition"), partition_ms=data.get("partition_ms"))
        for item in data.get("merged", []):
            merged = MergedEvent.from_dict(item)
            state.merged[merged.key] = merged
            for event_id in merged.ids:
                state.seen[event_id] = merged.key
        state.emitted = {int(row[0]): list(row[1:]) for row in data.get("emitted", [])}
        # States stored before alert corrections kept a list of ids ("alerts"): a step's
        # next alert is then announced afresh.
        state.alerts = {int(row[0]): list(row[1:]) for row in data.get("alert_steps", [])}
        state.restored = True
        return state
