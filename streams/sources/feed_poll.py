"""Polling feeds over HTTP: conditional GET, remembered ids, backoff for feeds that are down.

No Kafka here: :func:`fetch` gets a document (or "not modified"), :class:`PollState` is what
``geotension ingest rss`` keeps between polls in a small JSON file (validators per feed, the
ids already sent, bounded), and :func:`retry_delay` is the backoff schedule.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams import __version__

#: How many sent ids are remembered: far more than any feed lists at once (feeds show the
#: newest 20–100 items), small enough to load and save on every poll.
MAX_REMEMBERED = 20_000
#: A document larger than this is refused: no news feed is that big, a hostile server may be.
MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass
class FeedStatus:
    """What we know about one feed URL between polls."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0


@dataclass
class Fetched:
    """Result of one conditional GET: ``body`` is None when the server said 304."""

    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None


class FetchError(Exception):
    """The feed could not be fetched (HTTP error, network error, too large)."""


def fetch(url: str, status: FeedStatus, timeout_s: float = 20.0) -> Fetched:
    """GET ``url`` with If-None-Match / If-Modified-Since from ``status``; FetchError on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": f"geotension/{__version__}",
                                                   "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"})
    if status.etag:
        request.add_header("If-None-Match", status.etag)
    if status.last_modified:
        request.add_header("If-Modified-Since", status.last_modified)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - http(s) checked by caller
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                raise FetchError(f"feed larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB")
            return Fetched(response.status, body, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(304, None, exc.headers.get("ETag") or status.etag,
                           exc.headers.get("Last-Modified") or status.last_modified)
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"unreachable ({exc.reason})") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None


def retry_delay(failures: int, interval_s: float, base_s: float = 30.0) -> float:
    """Seconds before the next try of a feed after ``failures`` failures in a row.

    Doubles from ``base_s`` (30 s, 60 s, 120 s, …) but never exceeds 8 polling intervals, so a
    feed that comes back is picked up within a bounded time; 0 failures means the interval.
    """
    if failures <= 0:
        return interval_s
    return min(base_s * 2 ** (failures - 1), max(interval_s * 8, base_s))


@dataclass
class PollState:
    """Validators per feed and the ids already produced, saved as JSON between polls."""

    feeds: dict[str, FeedStatus] = field(default_factory=dict)
    sent: OrderedDict[str, None] = field(default_factory=OrderedDict)
    limit: int = MAX_REMEMBERED

    def status(self, url: str) -> FeedStatus:
        return self.feeds.setdefault(url, FeedStatus())

    def seen(self, article_id: str) -> bool:
        return article_id in self.sent

    def remember(self, article_id: str) -> None:
        """Add an id; the oldest ids are forgotten beyond ``limit``."""
        self.sent[article_id] = None
        self.sent.move_to_end(article_id)
        while len(self.sent) > self.limit:
            self.sent.popitem(last=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "feeds": {url: vars(s) for url, s in self.feeds.items()},
            "sent": list(self.sent),
        }

    @classmethod
    def load(cls, path: Path, limit: int = MAX_REMEMBERED) -> PollState:
        """The saved state, or an empty one when the file is missing or unreadable (then all items are new)."""
        state = cls(limit=limit)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return state
        if not isinstance(data, dict):
            return state
        for url, raw in (data.get("feeds") or {}).items():
            if isinstance(raw, dict):
                state.feeds[str(url)] = FeedStatus(
                    etag=raw.get("etag") if isinstance(raw.get("etag"), str) else None,
                    last_modified=raw.get("last_modified") if isinstance(raw.get("last_modified"), str) else None,
                    failures=int(raw.get("failures") or 0) if isinstance(raw.get("failures"), int) else 0,
                )
        for article_id in data.get("sent") or []:
            if isinstance(article_id, str):
                state.remember(article_id)
        return state

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a file.

        InputError naming the path when it cannot be written (a file where its folder should
        be, a read-only or full disk).
        """
        from streams.errors import InputError
        from streams.files import why_not_writable

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        except OSError as exc:
            raise InputError(f"{path}: cannot write the feed state ({why_not_writable(path, exc)})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.to_json(), handle)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise InputError(f"{path}: cannot write the feed state ({why_not_writable(path, exc)})") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
