"""``geotension ingest rss``: poll feeds and produce their new items to news.raw.

Each poll sends a conditional GET (ETag / Last-Modified), parses the document
(:mod:`streams.sources.feeds`) and produces the items whose stable id was never sent before.
Ids are remembered only after the producer has flushed them, in a small bounded JSON state
file, so a crash re-sends at most one poll and a restart sends nothing twice. A feed that is
down is logged in one line and retried with exponential backoff; the other feeds go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streams.codec import default_registry
from streams.errors import InputError, TensionError
from streams.replay import Sink, Stats
from streams.settings import Settings
from streams.sources import Bad
from streams.sources.feed_poll import FetchError, PollState, fetch, retry_delay
from streams.sources.feeds import parse_feed


def default_state_path(settings: Settings) -> Path:
    """``<app data dir>/ingest/rss-<app id>.json``: one state per app id, beside the worker's state."""
    return settings.path(settings.app.data_dir) / "ingest" / f"rss-{settings.app.id}.json"


@dataclass
class PollReport:
    """What one poll of all due feeds did."""

    new: int = 0
    known: int = 0
    invalid: int = 0
    not_modified: int = 0
    truncated: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        cut = f" ({self.truncated} cut to fit)" if self.truncated else ""
        return (f"{self.new} new{cut}, {self.known} already sent, {self.invalid} invalid, "
                f"{self.not_modified} not modified, {len(self.failed)} failed")


class FeedIngester:
    """Polls a fixed list of feed URLs; state and producer live as long as the object."""

    def __init__(self, settings: Settings, urls: Sequence[str], state_path: Path, topic: str | None = None,
                 log: Callable[[str], None] = print, interval_s: float = 300.0, timeout_s: float = 20.0,
                 dry_run: bool = False) -> None:
        for url in urls:
            if not url.startswith(("http://", "https://", "file://")):
                raise InputError(f"{url}: not an http(s) URL")
        self.settings, self.urls, self.state_path = settings, list(urls), state_path
        self.topic = topic or settings.topic("news_raw")
        self.log, self.interval_s, self.timeout_s = log, interval_s, timeout_s
        self.state = PollState.load(state_path)
        # Written once now, so a state path that cannot be written fails before any feed is polled.
        self.state.save(state_path)
        self.stats = Stats()
        self.sink = Sink(settings, dry_run, self.stats)
        self.sink.check_topic(self.topic)
        self.next_due = {url: 0.0 for url in self.urls}
        self.encode = default_registry().encoder("NewsArticle")

    def poll(self, now: float | None = None) -> PollReport:
        """Poll every feed that is due at ``now`` (monotonic seconds); all of them by default."""
        report = PollReport()
        base = time.monotonic() if now is None else now
        sent_ids: list[str] = []
        for url in self.urls:
            if now is not None and self.next_due[url] > now:
                continue
            status = self.state.status(url)
            try:
                fetched = fetch(url, status, self.timeout_s)
                if fetched.body is None:
                    report.not_modified += 1
                    feed_entries = []
                else:
                    feed = parse_feed(fetched.body, url)
                    feed_entries = feed.entries
                    if feed.repaired:
                        self.log(f"{url}: not well-formed XML ({feed.repaired}); read by the tolerant parser")
            except (FetchError, InputError) as exc:
                status.failures += 1
                delay = retry_delay(status.failures, self.interval_s)
                reason = str(exc).removeprefix(f"{url}: ")
                self.log(f"{url}: {reason}; try {status.failures} failed, next in {delay:.0f}s")
                report.failed.append(url)
                self.next_due[url] = base + delay
                continue
            status.failures = 0
            status.etag, status.last_modified = fetched.etag, fetched.last_modified
            self.next_due[url] = base + self.interval_s
            for entry in feed_entries:
                if isinstance(entry, Bad):
                    report.invalid += 1
                    self.log(str(entry))
                    continue
                if self.state.seen(entry.key) or entry.key in sent_ids:
                    report.known += 1
                    continue
                stamp = entry.event_time
                key = entry.key.encode()
                try:
                    fitted = self.sink.fit(self.topic, key, entry.record or {}, self.encode)
                except TensionError as exc:
                    report.invalid += 1
                    self.log(f"{entry.where}: {exc}")
                    continue
                if fitted.cut_from is not None:
                    report.truncated += 1
                    self.log(f"{entry.where}: body cut from {fitted.cut_from:,} to {fitted.cut_to:,} bytes to fit "
                             f"max.message.bytes={self.sink.limit(self.topic):,} of {self.topic}")
                self.sink.send(self.topic, key, fitted.value, int(stamp.timestamp() * 1000) if stamp else None,
                               headers=fitted.headers)
                sent_ids.append(entry.key)
                report.new += 1
        # Remember ids only once the broker has them: a failed flush re-sends them next time.
        self.sink.flush()
        for article_id in sent_ids:
            self.state.remember(article_id)
        self.state.save(self.state_path)
        return report

    def run(self, once: bool, on_report: Callable[[PollReport], None], sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> None:
        """Poll until interrupted (or once); sleeps until the next feed is due."""
        try:
            while True:
                on_report(self.poll(clock()))
                if once:
                    return
                sleep(max(min(self.next_due.values()) - clock(), 1.0))
        finally:
            self.sink.close()
