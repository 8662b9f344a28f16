"""Factories for TaggedEvent records as the indicator engine sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2022, 9, 7, 10, 0, tzinfo=UTC)


def make_event(
    event_id: str,
    when: datetime,
    source: str = "ALB",
    target: str = "IRN",
    cameo: str = "161",
    goldstein: float = -4.0,
    quad: int = 4,
    modality: str = "ASSERTED",
    confidence: float = 1.0,
    num_sources: int = 1,
) -> dict[str, Any]:
    """A TaggedEvent with only what the indicators read filled in meaningfully."""
    return {
        "event_id": event_id,
        "article_id": f"a-{event_id}",
        "origin": "TEXT",
        "event_time": when,
        "source": {"code": source, "country": source, "role": "GOV", "name": source},
        "target": {"code": target, "country": target, "role": "GOV", "name": target},
        "dyad": "-".join(sorted((source, target))),
        "cameo_code": cameo,
        "quad_class": quad,
        "goldstein": goldstein,
        "context": "DIPLOMATIC",
        "modality": modality,
        "confidence": confidence,
        "evidence": {"sentence": f"sentence of {event_id}", "spans": []},
        "language": "en",
        "num_sources": num_sources,
        "ruleset_version": "test",
        "outlet": "wire",
        "url": None,
        "truncated": False,
    }


def days(n: float) -> timedelta:
    return timedelta(days=n)
