"""Pure readers of the inputs the replay CLI accepts (no Kafka here).

Every reader yields, in file order, either an :class:`Item` (something to produce) or a
:class:`Bad` (a record that cannot be produced, with ``file:line`` and the reason), so the
caller decides whether to skip it or stop (``--strict``) and nothing is dropped silently.

    jsonl        JSON lines of NewsArticle objects (optionally gzip-compressed)
    avro_files   Avro object container files of NewsArticle records
    gdelt        GDELT 2.0 event exports (61 tab-separated columns, plain or zipped), and the
                 row → TaggedEvent mapping the GDELT agent uses
    feeds        RSS 2.0 and Atom documents → NewsArticle records
    detect       which of these a path or URL is (``--format auto``)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

#: What an item is: a NewsArticle record (encoded by the producer) or a raw GDELT line.
Kind = Literal["article", "gdelt"]


@dataclass(frozen=True, slots=True)
class Item:
    """One record to produce: its origin, key, event time and payload."""

    where: str
    key: str
    event_time: datetime | None
    kind: Kind
    record: dict[str, Any] | None = None
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Bad:
    """A record that cannot be produced: ``where`` is ``file:line`` (or ``file:#n``)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def article_item(where: str, obj: Any) -> Item | Bad:
    """A NewsArticle-shaped mapping read at ``where`` as an Item, or a Bad naming the problem."""
    from streams.errors import TensionError
    from streams.records import article_from_mapping

    try:
        record = article_from_mapping(obj)
    except TensionError as exc:
        return Bad(where, str(exc))
    return Item(where, record["id"], record["published_at"], "article", record=record)
