"""In-process counters the agents keep and the web server reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class PipelineCounters:
    """Records in and out per agent, dead letters by reason class, skips by cause."""

    records_in: Counter[str] = field(default_factory=Counter)
    records_out: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "records_in": dict(self.records_in),
            "records_out": dict(self.records_out),
            "dead_letters": dict(self.dead_letters),
            "skipped": dict(self.skipped),
        }
