"""Shared fixtures: one tagger built from the project's own config (built once, it is pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from streams.settings import load_settings
from streams.tagging import Tagger

WHEN = datetime(2024, 4, 14, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger.from_settings(load_settings())


def article(title: str, body: str = "", language: str | None = "en", **extra: Any) -> dict[str, Any]:
    """A NewsArticle record with fixed id and time."""
    record = {"id": "a1", "source": "test-outlet", "url": "https://example.org/a1", "title": title, "body": body,
              "language": language, "published_at": WHEN, "ingested_at": None}
    record.update(extra)
    return record


def triples(events: list[dict[str, Any]]) -> list[tuple[str | None, str | None, str, str]]:
    """(source country, target country, CAMEO code, modality) of each event, in output order."""
    return [(e["source"]["country"], e["target"]["country"], e["cameo_code"], e["modality"]) for e in events]
