"""Helpers for tests that talk to a worker's HTTP server: settings with web on, HTTP, SSE."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from streams.records import article_from_mapping
from streams.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "articles.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_web(settings: Settings) -> Settings:
    """The same settings with the worker's web server on a free loopback port."""
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, enabled=True, host="127.0.0.1",
                                                                 port=free_port()))


def base_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.web.port}"


def sample_articles(select: Callable[[str], bool]) -> list[dict[str, Any]]:
    """NewsArticle records of the bundled sample whose id passes ``select``, in file order."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [article_from_mapping(row) for row in rows if select(row["id"])]


def get(settings: Settings, path: str) -> tuple[int, Any]:
    """(status, decoded JSON body) of a GET; error statuses are returned, not raised."""
    try:
        with urllib.request.urlopen(base_url(settings) + path, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_until(check: Callable[[], Any], timeout_s: float, what: str, alive: Callable[[], bool]) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after the timeout."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        if not alive():
            raise AssertionError(f"the worker exited while waiting for {what}")
        try:
            last = check()
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} (last: {str(last)[:300]})")


def sse_messages(settings: Settings, timeout_s: float = 60.0) -> Iterator[tuple[str, Any]]:
    """(event, data) pairs from /api/stream, as a plain HTTP client would read them."""
    response = urllib.request.urlopen(base_url(settings) + "/api/stream", timeout=timeout_s)
    try:
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        event, data = None, None
        for raw in response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and event is not None:
                yield event, data
                event, data = None, None
    finally:
        response.close()
