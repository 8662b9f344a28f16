"""Article times outside the plausible range are refused before they can move event time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.errors import SchemaError
from streams.timecheck import check_article_times

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def article(published: datetime | None, ingested: datetime | None = None) -> dict[str, object]:
    return {"id": "a", "published_at": published, "ingested_at": ingested}


@pytest.mark.parametrize("published", [
    datetime(1979, 1, 1, tzinfo=UTC), datetime(2022, 9, 7, 9, tzinfo=UTC), datetime(2025, 6, 2, 12, tzinfo=UTC),
])
def test_plausible_times_pass(published: datetime) -> None:
    check_article_times(article(published), NOW, 1979, 86400)


def test_one_second_beyond_the_future_allowance_is_refused() -> None:
    with pytest.raises(SchemaError) as info:
        check_article_times(article(datetime(2025, 6, 2, 12, 0, 1, tzinfo=UTC)), NOW, 1979, 86400)
    assert str(info.value) == ("`published_at` 2025-06-02T12:00:01Z is later than 2025-06-02T12:00:00Z "
                               "(now + tagging.max_future_s=86400)")


def test_before_the_earliest_year_is_refused() -> None:
    with pytest.raises(SchemaError) as info:
        check_article_times(article(datetime(1978, 12, 31, 23, 59, tzinfo=UTC)), NOW, 1979, 86400)
    assert str(info.value) == "`published_at` 1978-12-31T23:59:00Z is earlier than 1979-01-01 (tagging.earliest_year)"


def test_ingested_at_is_checked_only_when_it_is_the_event_time() -> None:
    stale_stamp = datetime(1970, 1, 1, tzinfo=UTC)
    check_article_times(article(datetime(2022, 1, 1, tzinfo=UTC), stale_stamp), NOW, 1979, 86400)
    with pytest.raises(SchemaError, match=r"^`ingested_at` 1970-01-01T00:00:00Z is earlier than 1979-01-01"):
        check_article_times(article(None, stale_stamp), NOW, 1979, 86400)
    check_article_times(article(None, None), NOW, 1979, 86400)
