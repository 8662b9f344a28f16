"""RSS and Atom documents → NewsArticle records.

Feeds from the open web are often not well-formed XML: a bare ``&`` in a title, HTML
entities such as ``&nbsp;`` that XML does not define, a declared encoding that is not the
real one, dates in no standard format. They are parsed with ``feedparser``, which falls back
to a tolerant parser for such documents and reads every RSS (0.9x, 1.0, 2.0) and Atom
flavour. Before that, a document that declares entities is checked with ``defusedxml`` and
refused when it defines any (entity expansion, external entities).

An item becomes a NewsArticle with

* ``id`` = :func:`streams.records.stable_article_id` of its canonical link (so the same story
  polled twice, or with ``utm_*`` parameters, keeps one id; without a link, of
  source + title + published_at);
* ``published_at`` from ``pubDate`` / Atom ``published``, else ``updated`` / ``dc:date``; null
  when absent or unreadable (a broken date loses the date, not the item);
* ``body`` = the description / summary / content with HTML tags removed and entities decoded;
* ``source`` = the channel's title, ``language`` = the channel's (or entry's) language if any.

An item that cannot be made into an article (no title and no description, or fields of the
wrong shape) is reported as :class:`Bad`; the other items of the feed are read as usual.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from streams.errors import InputError, SchemaError
from streams.records import parse_time, stable_article_id, utc
from streams.sources import Bad, Item

#: Bodies longer than this are cut: a feed description is a teaser, not an archive.
MAX_BODY_CHARS = 20_000


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its kind, title, language, items (or Bad entries) and what was repaired.

    ``repaired`` names the XML error the tolerant parser worked around (None for a
    well-formed document), so callers can log it once per feed.
    """

    kind: str  # "rss" or "atom"
    title: str | None
    language: str | None
    entries: list[Item | Bad]
    repaired: str | None = None


class _TextExtractor(HTMLParser):
    """Text content of an HTML fragment; block elements become spaces, scripts vanish."""

    SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "img"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in ("p", "div", "li", "tr"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return " ".join(html.unescape("".join(extractor.parts)).split())


def parse_feed_time(text: str | None) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, dc:date) → UTC datetime; None when unreadable."""
    if not text or not text.strip():
        return None
    value = text.strip()
    try:
        return utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return parse_time(value, "date")
    except SchemaError:
        return None


_DECLARES = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _refuse_unsafe(data: bytes, where: str) -> None:
    """InputError when the document defines entities (expansion bombs, external entities)."""
    if not _DECLARES.search(data[:65536]):
        return
    try:
        SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"{where}: refused unsafe XML ({type(exc).__name__})") from None
    except SafeET.ParseError:
        pass  # not well-formed but declares no entity: the tolerant parser reads it


def _when(entry: Any) -> datetime | None:
    """The entry's publication time (else its update time) in UTC; None when absent or unreadable."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                pass
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            found = parse_feed_time(raw)
            if found is not None:
                return found
    return None


def _body(entry: Any) -> str:
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        return summary
    for part in entry.get("content") or []:
        value = part.get("value") if hasattr(part, "get") else None
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _article(where: str, source: str | None, language: str | None, title: str, link: str | None,
             body: str, published: datetime | None) -> Item | Bad:
    title = strip_html(title)
    body = strip_html(body)[:MAX_BODY_CHARS]
    if not title and not body:
        return Bad(where, "item has neither a title nor a description")
    if not title:
        title = body[:120]
    link = link.strip() if link else None
    record = {
        "id": stable_article_id(link, source, title, published),
        "source": source,
        "url": link or None,
        "title": title,
        "body": body,
        "language": language,
        "published_at": published,
        "ingested_at": None,
    }
    return Item(where, str(record["id"]), published, "article", record=record)


def _entry(where: str, entry: Any, source: str | None, language: str | None) -> Item | Bad:
    title = entry.get("title")
    link = entry.get("link")
    if title is not None and not isinstance(title, str) or link is not None and not isinstance(link, str):
        return Bad(where, "item's title or link is not text")
    lang = (entry.get("title_detail") or {}).get("language") or language
    return _article(where, source, lang or None, title or "", link or None, _body(entry), _when(entry))


def parse_feed(data: bytes, where: str) -> Feed:
    """Parse an RSS or Atom document, repairing what the tolerant parser can; InputError when it is neither."""
    _refuse_unsafe(data, where)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    reason = " ".join(str(problem).removeprefix("<unknown>:").split())[:160] if problem is not None else None
    if not version:
        root = re.search(rb"<\s*([A-Za-z][\w:.-]*)", re.sub(rb"<\?.*?\?>|<!--.*?-->|<!.*?>", b"", data[:4096], flags=re.S))
        name = root.group(1).decode("ascii", "replace") if root else "none"
        raise InputError(f"{where}: not an RSS or Atom feed (root element <{name}>)")
    channel = parsed.get("feed") or {}
    entries_in = parsed.get("entries") or []
    if reason and not entries_in and not channel.get("title"):
        raise InputError(f"{where}: not well-formed XML ({reason})")
    kind = "atom" if version.startswith("atom") else "rss"
    title = strip_html(channel.get("title") or "") or None
    language = (channel.get("language") or "").strip() or None
    label = "entry" if kind == "atom" else "item"
    entries: list[Item | Bad] = []
    for n, entry in enumerate(entries_in, 1):
        at = f"{where}:{label} {n}"
        try:
            entries.append(_entry(at, entry, title, language))
        except (TypeError, ValueError, AttributeError) as exc:
            entries.append(Bad(at, f"unreadable item ({type(exc).__name__}: {exc})"))
    return Feed(kind, title, language, entries, reason if reason else None)


def read_feed_file(path: Path) -> Iterator[Item | Bad]:
    """Items of a feed stored in a file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    yield from parse_feed(data, str(path)).entries


def looks_like_feed(head: bytes) -> bool:
    """Content sniffing for ``--format auto``: an ``<rss``, ``<feed`` or ``<rdf:RDF`` root near the start."""
    sample = head[:2048].lower()
    return bool(re.search(rb"<(rss|feed|rdf:rdf)[\s>]", sample))
