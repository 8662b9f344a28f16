"""RSS 2.0 and Atom documents → NewsArticle records.

Parsing goes through ``defusedxml`` (feeds come from the open web: no entity expansion, no
external entities, no DTD tricks). An item becomes a NewsArticle with

* ``id`` = :func:`streams.records.stable_article_id` of its canonical link (so the same story
  polled twice, or with ``utm_*`` parameters, keeps one id; without a link, of
  source + title + published_at);
* ``published_at`` from ``pubDate`` (RFC 822) / Atom ``published`` or ``updated`` (ISO 8601),
  else Dublin Core ``dc:date``; null when absent or unreadable;
* ``body`` = the description / summary / content with HTML tags removed and entities decoded;
* ``source`` = the channel's title, ``language`` = the channel's ``<language>`` if any.

An item without a title and without a description is reported as :class:`Bad`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from streams.errors import InputError, SchemaError
from streams.records import parse_time, stable_article_id, utc
from streams.sources import Bad, Item

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
#: Bodies longer than this are cut: a feed description is a teaser, not an archive.
MAX_BODY_CHARS = 20_000


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its kind, title, language and items (or Bad entries)."""

    kind: str  # "rss" or "atom"
    title: str | None
    language: str | None
    entries: list[Item | Bad]


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


def _text(node: Element | None) -> str:
    if node is None:
        return ""
    return "".join(node.itertext()).strip()


def parse_feed(data: bytes, where: str) -> Feed:
    """Parse an RSS 2.0 or Atom document; InputError when it is neither."""
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"{where}: refused unsafe XML ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise InputError(f"{where}: not well-formed XML ({exc})") from None
    if root.tag == "rss" or root.tag == "{http://purl.org/rss/1.0/}RDF" or root.tag.endswith("}RDF"):
        return _parse_rss(root, where)
    if root.tag == f"{ATOM}feed":
        return _parse_atom(root, where)
    raise InputError(f"{where}: not an RSS or Atom feed (root element <{root.tag}>)")


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


def _parse_rss(root: Element, where: str) -> Feed:
    channel = root.find("channel")
    if channel is None:
        channel = root
    title = strip_html(_text(channel.find("title"))) or None
    language = _text(channel.find("language")) or None
    items = channel.findall("item") or root.findall("item") or root.findall("{http://purl.org/rss/1.0/}item")
    entries: list[Item | Bad] = []
    for n, item in enumerate(items, 1):
        link = _text(item.find("link")) or None
        guid = item.find("guid")
        if not link and guid is not None and guid.get("isPermaLink", "true").lower() != "false":
            link = _text(guid) or None
        published = parse_feed_time(_text(item.find("pubDate")) or _text(item.find(f"{DC}date")))
        body = _text(item.find("description")) or _text(item.find(f"{CONTENT}encoded"))
        entries.append(_article(f"{where}:item {n}", title, language, _text(item.find("title")), link, body, published))
    return Feed("rss", title, language, entries)


def _atom_link(entry: Element) -> str | None:
    best = None
    for link in entry.findall(f"{ATOM}link"):
        rel = link.get("rel", "alternate")
        if rel == "alternate" and link.get("href"):
            return link.get("href")
        best = best or link.get("href")
    return best


def _parse_atom(root: Element, where: str) -> Feed:
    title = strip_html(_text(root.find(f"{ATOM}title"))) or None
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang") or None
    entries: list[Item | Bad] = []
    for n, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
        published = parse_feed_time(_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated")))
        body = _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content"))
        lang = entry.get("{http://www.w3.org/XML/1998/namespace}lang") or language
        entries.append(_article(f"{where}:entry {n}", title, lang, _text(entry.find(f"{ATOM}title")),
                                _atom_link(entry), body, published))
    return Feed("atom", title, language, entries)


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
