"""``geotension ingest rss`` against a local HTTP server (ETag / 304 / 500) and the real broker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from streams.cli import cli
from streams.demo import worker_env
from streams.lag import read_all
from streams.settings import Settings
from streams.sources.feeds import read_feed_file
from tests.integration.independent import decode

pytestmark = [pytest.mark.broker]

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
BBC_2017 = (FEEDS / "bbc_news_world_2017-01-20.xml").read_bytes()
NEW_ITEM = b"""<item><title>Albania and Israel sign a cyber defence pact</title>
<description>&lt;p&gt;Signed in &lt;b&gt;Tirana&lt;/b&gt;.&lt;/p&gt;</description>
<link>http://www.bbc.co.uk/news/world-europe-99999999</link>
<pubDate>Fri, 20 Jan 2017 13:30:00 GMT</pubDate></item>"""


class FeedServer:
    """Serves /world (with an ETag), /atom, and /down (always 500); records every request."""

    def __init__(self) -> None:
        self.documents = {"/world": (BBC_2017, '"v1"'), "/atom": ((FEEDS / "atom_sample.xml").read_bytes(), '"a1"'),
                          "/broken": ((FEEDS / "not_well_formed.xml").read_bytes(), '"b1"')}
        self.requests: list[tuple[str, str | None, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                etag_sent = self.headers.get("If-None-Match")
                if self.path not in server.documents:
                    server.requests.append((self.path, etag_sent, 500))
                    self.send_error(500, "Internal Server Error")
                    return
                body, etag = server.documents[self.path]
                if etag_sent == etag:
                    server.requests.append((self.path, etag_sent, 304))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                server.requests.append((self.path, etag_sent, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


def ingest(settings: Settings, state: Path, *urls: str) -> Result:
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("GEOTENSION_")}
    return CliRunner().invoke(cli, ["ingest", "rss", *urls, "--once", "--state", str(state)], env=env,
                              catch_exceptions=False)


def titles(settings: Settings) -> list[str]:
    return sorted(decode(m.value)[1]["title"] for m in read_all(settings, settings.topic("news_raw")))


def test_polls_send_each_item_once_with_conditional_get_and_survive_a_down_feed(
        make_settings: Callable[..., Settings], feed_server: FeedServer, tmp_path: Path) -> None:
    settings = make_settings()
    state = tmp_path / "rss-state.json"
    world, atom, down = (feed_server.base + p for p in ("/world", "/atom", "/down"))

    first = ingest(settings, state, world, down, atom)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "5 new, 0 already sent, 1 invalid, 0 not modified, 1 failed"
    failure = [line for line in first.stderr.splitlines() if line.startswith(down)]
    assert failure == [f"{down}: HTTP 500 Internal Server Error; try 1 failed, next in 30s"]
    expected = sorted(e.record["title"] for f in ("bbc_news_world_2017-01-20.xml", "atom_sample.xml")  # type: ignore[union-attr]
                      for e in read_feed_file(FEEDS / f) if hasattr(e, "record"))
    assert titles(settings) == expected

    # Second poll: the server answers 304 to the ETags it handed out; nothing is re-sent.
    second = ingest(settings, state, world, down, atom)
    assert second.stdout.strip() == "0 new, 0 already sent, 0 invalid, 2 not modified, 1 failed"
    assert f"{down}: HTTP 500 Internal Server Error; try 2 failed, next in 60s" in second.stderr
    assert [(p, tag, code) for p, tag, code in feed_server.requests if p == "/world"] == [
        ("/world", None, 200), ("/world", '"v1"', 304)]

    # The feed changes: one new item among the old ones; only the new one is sent.
    feed_server.documents["/world"] = (BBC_2017.replace(b"<item>", NEW_ITEM + b"<item>", 1), '"v2"')
    third = ingest(settings, state, world)
    assert third.stdout.strip() == "1 new, 3 already sent, 0 invalid, 0 not modified, 0 failed"
    assert titles(settings) == sorted([*expected, "Albania and Israel sign a cyber defence pact"])

    # A fresh state (another machine, a lost file) re-sends: the ids are stable, so consumers dedupe.
    fourth = ingest(settings, tmp_path / "other-state.json", world)
    assert fourth.stdout.strip() == "4 new, 0 already sent, 0 invalid, 0 not modified, 0 failed"
    keys = titles(settings)
    assert len(keys) == len(expected) + 1 + 4


def test_a_feed_that_is_not_well_formed_sends_every_readable_item(
        make_settings: Callable[..., Settings], feed_server: FeedServer, tmp_path: Path) -> None:
    settings = make_settings()
    broken = feed_server.base + "/broken"
    result = ingest(settings, tmp_path / "state.json", broken)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 new, 0 already sent, 1 invalid, 0 not modified, 0 failed"
    assert result.stderr.splitlines() == [
        f"{broken}: not well-formed XML (7:17: not well-formed (invalid token)); read by the tolerant parser",
        f"{broken}:item 3: item has neither a title nor a description",
    ]
    assert titles(settings) == ["Albania & Iran: envoys expelled after server attack", "Caf\u00e9 owners in Durr\u00ebs protest",
                                "Ministers meet in Tirana"]


LONG_ITEM_FEED = ("""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Long Reads Wire</title><language>en</language>
<item><title>Albania and Iran: the long account</title><link>https://longreads.example.org/1</link>
<description>""" + "The envoys left Tirana that week. " * 400 + """</description>
<pubDate>Wed, 07 Sep 2022 09:15:00 GMT</pubDate></item>
<item><title>A short note</title><link>https://longreads.example.org/2</link>
<description>Talks resume.</description><pubDate>Thu, 08 Sep 2022 09:15:00 GMT</pubDate></item>
</channel></rss>""").encode()


def test_an_item_larger_than_the_topic_limit_is_cut_to_fit(
        make_settings: Callable[..., Settings], feed_server: FeedServer, tmp_path: Path) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    settings = make_settings()
    topic = settings.topic("news_raw") + ".small"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "6000"})])
    finally:
        admin.close()
    feed_server.documents["/long"] = (LONG_ITEM_FEED, '"l1"')
    url = feed_server.base + "/long"
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("GEOTENSION_")}
    result = CliRunner().invoke(cli, ["ingest", "rss", url, "--once", "--state", str(tmp_path / "s.json"),
                                      "--topic", topic], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 new (1 cut to fit), 0 already sent, 0 invalid, 0 not modified, 0 failed"
    original = len(("The envoys left Tirana that week. " * 400).strip())
    cut_lines = [line for line in result.stderr.splitlines() if "body cut" in line]
    assert len(cut_lines) == 1 and cut_lines[0].startswith(f"{url}:item 1: body cut from {original:,} to ")
    assert cut_lines[0].endswith(f" bytes to fit max.message.bytes=6,000 of {topic}")
    got = {decode(m.value)[1]["title"]: m for m in read_all(settings, topic)}
    assert sorted(got) == ["A short note", "Albania and Iran: the long account"]
    long = got["Albania and Iran: the long account"]
    assert dict(long.headers) == {"geotension.truncated": str(original).encode()}
    assert ("The envoys left Tirana that week. " * 400).startswith(decode(long.value)[1]["body"])
    assert 5_000 < len(long.value) <= 6_000 and not got["A short note"].headers


def test_bad_url_is_one_line(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    result = ingest(settings, tmp_path / "s.json", "ftp://example.org/feed")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: ftp://example.org/feed: not an http(s) URL"


def test_replay_reads_a_feed_url_and_names_a_failing_one(make_settings: Callable[..., Settings],
                                                          feed_server: FeedServer) -> None:
    settings = make_settings()
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("GEOTENSION_")}
    result = CliRunner().invoke(cli, ["replay", feed_server.base + "/world", "--silent"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 3, skipped 0, invalid 0 of 3 read")
    assert titles(settings) == sorted(e.record["title"] for e in read_feed_file(FEEDS / "bbc_news_world_2017-01-20.xml")  # type: ignore[union-attr]
                                      if hasattr(e, "record"))
    down = feed_server.base + "/down"
    result = CliRunner().invoke(cli, ["replay", down, "--silent"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {down}: HTTP 500 Internal Server Error"
