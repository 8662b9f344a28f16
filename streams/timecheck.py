"""Plausible article times: a feed's typo or a hostile record must not move event time.

Event time drives the indicators: every dyad's clock is the newest event time it has seen.
One article dated 9999-12-31 would make the indicator agent emit a snapshot for every day
until then (millions) and push every real event that follows beyond the horizon, so that
dyad would be lost for good. Such an article is refused before tagging and dead-lettered
with its reason. The bounds are configuration (``tagging.earliest_year``,
``tagging.max_future_s`` in ``pipeline.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from streams.errors import SchemaError
from streams.records import format_time


def check_article_times(article: Mapping[str, Any], now: datetime, earliest_year: int, max_future_s: float) -> None:
    """Raise :class:`SchemaError` when the article's event time lies outside
    ``[earliest_year-01-01, now + max_future_s]``; ``now`` is the processing (wall-clock) time.

    The event time is ``published_at``, else ``ingested_at`` (as the tagger takes it); only
    that one is checked, so a wrong ingestion stamp beside a good publication date is harmless.
    """
    earliest = datetime(earliest_year, 1, 1, tzinfo=UTC)
    latest = now + timedelta(seconds=max_future_s)
    key = "published_at" if article.get("published_at") is not None else "ingested_at"
    value = article.get(key)
    if value is not None:
        if value > latest:
            raise SchemaError(
                f"`{key}` {format_time(value)} is later than {format_time(latest)} "
                f"(now + tagging.max_future_s={max_future_s:g})"
            )
        if value < earliest:
            raise SchemaError(f"`{key}` {format_time(value)} is earlier than {earliest_year}-01-01 (tagging.earliest_year)")
