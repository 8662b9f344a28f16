"""RSS 2.0 and Atom parsing over the real feeds in tests/data/feeds (and a written Atom feed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.errors import InputError
from streams.records import stable_article_id
from streams.sources import Bad, Item
from streams.sources.feeds import parse_feed, parse_feed_time, read_feed_file, strip_html

DATA = Path(__file__).resolve().parents[2] / "data" / "feeds"


def items(name: str) -> list[Item]:
    out = list(read_feed_file(DATA / name))
    assert all(isinstance(i, Item) for i in out)
    return out  # type: ignore[return-value]


@pytest.mark.parametrize(("name", "count", "dated"), [
    ("bbc_news_frontpage_2024-08-08.xml", 54, 54),
    ("bbc_news_world_2017-01-20.xml", 3, 3),
    ("bbc_news_world_2019-02-24.xml", 33, 33),
    ("cnn_2024-08-08.xml", 69, 53),
    ("nytimes_world_2024-08-08.xml", 60, 60),
])
def test_real_feeds_item_counts(name: str, count: int, dated: int) -> None:
    found = items(name)
    assert len(found) == count
    assert sum(1 for i in found if i.event_time is not None) == dated


def test_bbc_2017_items_exactly() -> None:
    found = items("bbc_news_world_2017-01-20.xml")
    assert [i.record["title"] for i in found] == [  # type: ignore[index]
        "Rigopiano avalanche: Eight found alive in Italy hotel after two days",
        "Gambia crisis: Jammeh given last chance to resign as troops close in",
        "Syria: IS destroys part of Palmyra's Roman Theatre",
    ]
    first = found[0].record
    assert first == {
        "id": stable_article_id("http://www.bbc.co.uk/news/world-europe-38691103", None, "", None),
        "source": "BBC News - World",
        "url": "http://www.bbc.co.uk/news/world-europe-38691103",
        "title": "Rigopiano avalanche: Eight found alive in Italy hotel after two days",
        "body": "Two children are among the eight who have spent at least 40 hours buried in snow and rubble.",
        "language": "en-gb",
        "published_at": datetime(2017, 1, 20, 12, 55, 28, tzinfo=UTC),
        "ingested_at": None,
    }
    assert found[0].key == first["id"] and found[0].kind == "article"  # type: ignore[index]


def test_nyt_item_about_israel_and_iran() -> None:
    found = items("nytimes_world_2024-08-08.xml")
    second = found[1].record
    assert second["title"] == "Arab and Western Nations Urge Restraint as Israel-Iran Tensions Simmer"  # type: ignore[index]
    assert second["published_at"] == datetime(2024, 8, 7, 22, 34, 9, tzinfo=UTC)  # type: ignore[index]
    assert second["source"] == "NYT > World News"  # type: ignore[index]


def test_atom_entries_html_stripped_and_tracking_ignored_in_ids() -> None:
    found = list(read_feed_file(DATA / "atom_sample.xml"))
    assert [type(e).__name__ for e in found] == ["Item", "Item", "Bad"]
    first, second, third = found
    assert isinstance(first, Item) and isinstance(second, Item) and isinstance(third, Bad)
    assert first.record == {
        "id": stable_article_id("https://wire.example.org/2022/09/07/albania-iran", None, "", None),
        "source": "Balkan Security Wire",
        "url": "https://wire.example.org/2022/09/07/albania-iran?utm_source=rss&utm_medium=feed",
        "title": "Albania cuts diplomatic ties with Iran over cyberattack",
        "body": "Prime Minister Edi Rama said Iran orchestrated the July attack on government servers.",
        "language": "en",
        "published_at": datetime(2022, 9, 7, 7, 15, tzinfo=UTC),
        "ingested_at": None,
    }
    assert second.record["body"] == 'Tehran\'s foreign ministry called the accusation baseless & "unfounded".'  # type: ignore[index]
    assert second.event_time == datetime(2022, 9, 8, 11, 30, tzinfo=UTC)  # from <updated>
    assert str(third) == f"{DATA / 'atom_sample.xml'}:entry 3: item has neither a title nor a description"


def test_hostile_and_broken_documents_are_one_line_errors() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>'
    with pytest.raises(InputError, match="x.xml: refused unsafe XML"):
        parse_feed(bomb, "x.xml")
    external = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>'
    with pytest.raises(InputError, match="refused unsafe XML"):
        parse_feed(external, "x.xml")
    with pytest.raises(InputError, match="x.xml: not well-formed XML"):
        parse_feed(b"<rss><channel>", "x.xml")
    with pytest.raises(InputError, match=r"x.xml: not an RSS or Atom feed \(root element <html>\)"):
        parse_feed(b"<html><body/></html>", "x.xml")


def test_strip_html_and_times() -> None:
    assert strip_html("<p>One&nbsp;<b>two</b></p><p>three<br/>four</p><style>p{}</style>") == "One two three four"
    assert strip_html("  plain   text ") == "plain text"
    assert parse_feed_time("Thu, 08 Aug 2024 19:20:58 GMT") == datetime(2024, 8, 8, 19, 20, 58, tzinfo=UTC)
    assert parse_feed_time("Fri, 20 Jan 2017 12:55:28 +0100") == datetime(2017, 1, 20, 11, 55, 28, tzinfo=UTC)
    assert parse_feed_time("2022-09-07T09:15:00+02:00") == datetime(2022, 9, 7, 7, 15, tzinfo=UTC)
    assert parse_feed_time("yesterday") is None and parse_feed_time("") is None


def test_feed_that_is_not_well_formed_is_read_item_by_item() -> None:
    """A bare '&', undefined HTML entities, a Latin-1 byte under a UTF-8 declaration, a broken
    date and an empty item: the empty item is the only one reported, the others are articles."""
    path = DATA / "not_well_formed.xml"
    feed = parse_feed(path.read_bytes(), "x.xml")
    assert feed.kind == "rss" and feed.title == "Adriatic & Gulf Monitor" and feed.language == "en"
    assert feed.repaired == "7:17: not well-formed (invalid token)"
    assert [type(e).__name__ for e in feed.entries] == ["Item", "Item", "Bad", "Item"]
    first, second, empty, fourth = feed.entries
    assert isinstance(first, Item) and isinstance(second, Item) and isinstance(fourth, Item)
    assert first.record == {
        "id": stable_article_id("https://monitor.example.net/2022/09/07/envoys", None, "", None),
        "source": "Adriatic & Gulf Monitor",
        "url": "https://monitor.example.net/2022/09/07/envoys?utm_source=rss&utm_medium=feed",
        "title": "Albania & Iran: envoys expelled after server attack",
        "body": "Tirana said the attack was ordered from Tehran \u2014 a charge Iran rejects.",
        "language": "en",
        "published_at": datetime(2022, 9, 7, 7, 15, tzinfo=UTC),
        "ingested_at": None,
    }
    assert second.record["title"] == "Ministers meet in Tirana"  # type: ignore[index]
    assert second.event_time is None and second.record["published_at"] is None  # type: ignore[index]
    assert str(empty) == "x.xml:item 3: item has neither a title nor a description"
    assert fourth.record["title"] == "Caf\u00e9 owners in Durr\u00ebs protest"  # type: ignore[index]
    assert fourth.event_time == datetime(2022, 9, 9, 18, 0, tzinfo=UTC)


def test_well_formed_feed_reports_nothing_repaired() -> None:
    assert parse_feed((DATA / "atom_sample.xml").read_bytes(), "a.xml").repaired is None


def test_truncated_feed_keeps_the_items_before_the_cut() -> None:
    whole = (DATA / "bbc_news_world_2017-01-20.xml").read_bytes()
    cut = whole[: whole.rindex(b"<item>")]
    feed = parse_feed(cut, "cut.xml")
    assert feed.repaired is not None
    assert [e.record["title"] for e in feed.entries if isinstance(e, Item)] == [  # type: ignore[index]
        "Rigopiano avalanche: Eight found alive in Italy hotel after two days",
        "Gambia crisis: Jammeh given last chance to resign as troops close in",
    ]
