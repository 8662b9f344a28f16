"""Poll state (bounded sent ids, validators, atomic save) and the backoff schedule."""

from __future__ import annotations

from pathlib import Path

from streams.sources.feed_poll import FeedStatus, PollState, retry_delay


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n, 300.0) for n in range(0, 9)] == [300.0, 30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 2400.0]
    assert retry_delay(20, 5.0) == 40.0


def test_state_round_trip_and_bound(tmp_path: Path) -> None:
    state = PollState(limit=3)
    for article_id in ("a", "b", "c", "d"):
        state.remember(article_id)
    state.status("http://x/feed").etag = '"v1"'
    state.feeds["http://x/feed"].failures = 2
    path = tmp_path / "sub" / "state.json"
    state.save(path)
    loaded = PollState.load(path, limit=3)
    assert list(loaded.sent) == ["b", "c", "d"]
    assert not loaded.seen("a") and loaded.seen("d")
    assert loaded.feeds == {"http://x/feed": FeedStatus(etag='"v1"', last_modified=None, failures=2)}
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_unreadable_state_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{broken")
    assert PollState.load(path).sent == {}
    path.write_text('{"feeds": {"u": "x"}, "sent": [1, "ok"]}')
    loaded = PollState.load(path)
    assert list(loaded.sent) == ["ok"] and loaded.feeds == {}
