"""The worker's HTTP API on the real broker: exact bodies against the offline oracle, errors, SSE.

Articles from the bundled sample go to news.raw; a worker with its web server on a free port
processes them; the expected bodies come from ``Tagger`` and ``batch_indicators`` (and, for
alerts, from the alerts topic read independently).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from streams.demo import produce_articles
from streams.indicators import batch_indicators
from streams.lag import wait_caught_up
from streams.records import format_time, to_jsonable
from streams.settings import Settings
from streams.tagging import Tagger
from tests.integration.independent import decode
from tests.integration.test_pipeline import read_topic
from tests.integration.webclient import get, sample_articles, sse_messages, wait_until, with_web

pytestmark = [pytest.mark.broker, pytest.mark.slow]

DYADS = ["ALB-IRN", "ALB-ISR", "IRN-ISR"]
LATE_ARTICLE = "s-2022-10-23-rama-in-israel"


def oracle(settings: Settings, articles: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tagger = Tagger.from_settings(settings)
    events = [ev for a in articles for ev in tagger.tag(a)]
    snapshots, _, _ = batch_indicators(events, settings.indicators)
    return events, snapshots


def status_of(settings: Settings, method: str, path: str) -> int:
    """The HTTP status of one request (errors included), its body ignored."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", settings.web.port, timeout=10)
    try:
        connection.request(method, path, body=b"{}" if method != "GET" else None)
        return connection.getresponse().status
    finally:
        connection.close()


def unrevised(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(snapshots)


def test_api_bodies_errors_metrics_and_stream(make_settings: Callable[..., Settings],
                                              worker_factory: Callable[[Settings], Any]) -> None:
    settings = with_web(make_settings())
    articles = sample_articles(lambda i: i.startswith(("s-2022-07", "s-2022-08", "s-2022-09")))
    assert len(articles) == 17
    produce_articles(settings, articles)
    worker = worker_factory(settings)
    alive = lambda: worker.poll() is None  # noqa: E731
    assert wait_caught_up(settings, settings.app.id, [settings.topic("news_raw"), settings.topic("events")],
                          timeout_s=300, on_poll=lambda lag: alive() or pytest.fail("the worker exited"))

    events, snapshots = oracle(settings, articles)
    newest = {s["dyad"]: s for s in snapshots}  # batch snapshots are sorted by (dyad, as_of)
    assert sorted(newest) == ["ALB-IRN", "ALB-ISR"]  # no IRN-ISR event in this quarter
    # The read models follow the output topics; wait until they hold the final snapshot of every dyad.
    wait_until(lambda: all(row["as_of"] == format_time(newest[row["dyad"]]["as_of"])
                           and row["tension_index"] == newest[row["dyad"]]["tension_index"]
                           for row in get(settings, "/api/dyads")[1]["dyads"] if row["dyad"] in newest),
               60, "the read models to catch up", alive)

    # /api/indicators: every as_of once, newest revision, equal to the batch recomputation.
    for dyad in DYADS:
        status, body = get(settings, f"/api/indicators/{dyad}")
        assert status == 200 and body["dyad"] == dyad and body["window"] is None
        assert unrevised(body["snapshots"]) == to_jsonable([s for s in snapshots if s["dyad"] == dyad])
    since = newest["ALB-IRN"]["as_of"] - timedelta(days=3)
    status, body = get(settings, f"/api/indicators/ALB-IRN?window=7d&since={format_time(since)}")
    assert status == 200
    assert unrevised(body["snapshots"]) == to_jsonable([
        {**s, "windows": [w for w in s["windows"] if w["window"] == "7d"]}
        for s in snapshots if s["dyad"] == "ALB-IRN" and s["as_of"] >= since])
    assert len(body["snapshots"]) == 4

    # /api/dyads: the newest snapshot per dyad, and the change over the 7-day trend lookback.
    status, body = get(settings, "/api/dyads")
    assert status == 200 and body["caught_up"] is True
    assert body["level_thresholds"] == {"ELEVATED": 20.0, "HIGH": 40.0, "SEVERE": 60.0, "CRITICAL": 80.0}
    assert body["dyads"][2] == {"dyad": "IRN-ISR", "level": "CALM", "level_value": 0, "tension_index": 0.0,
                                "change": 0.0, "trend": "steady", "as_of": None, "revision": None,
                                "provisional": None, "snapshots": 0, "events": 0}
    for row in body["dyads"][:2]:
        latest = newest[row["dyad"]]
        week_ago = [s for s in snapshots if s["dyad"] == row["dyad"] and s["as_of"] <= latest["as_of"] - timedelta(days=7)]
        change = round(latest["tension_index"] - (week_ago[-1]["tension_index"] if week_ago else 0.0), 6)
        assert {k: row[k] for k in ("level", "tension_index", "as_of", "change")} == {
            "level": latest["level"], "tension_index": latest["tension_index"],
            "as_of": format_time(latest["as_of"]), "change": change}
        assert row["trend"] == ("rising" if change > 2 else "falling" if change < -2 else "steady")
    assert [row["dyad"] for row in body["dyads"]] == DYADS

    # /api/events: newest first with evidence and link, exactly the tagger's events.
    alb_irn = sorted((e for e in events if e["dyad"] == "ALB-IRN"), key=lambda e: (e["event_time"], e["event_id"]),
                     reverse=True)
    status, body = get(settings, "/api/events/ALB-IRN?limit=3")
    assert (status, body) == (200, {"dyad": "ALB-IRN", "events": to_jsonable(alb_irn[:3])})
    status, body = get(settings, "/api/events/ALB-IRN?since=2022-09-08")
    assert body["events"] == to_jsonable([e for e in alb_irn if format_time(e["event_time"]) >= "2022-09-08"])

    # /api/alerts: what tension.alerts holds, once per (alert_id, revision, correction), newest as_of first.
    on_topic = {}
    for message in read_topic(settings, "alerts"):
        _, alert = decode(message.value)
        on_topic[(alert["alert_id"], alert["revision"], alert["correction"])] = alert
    assert on_topic, "the sample's September 2022 escalation should change a level"
    expected_alerts = sorted(on_topic.values(), key=lambda a: (a["as_of"], a["dyad"], a["revision"]), reverse=True)
    # A record is superseded when a later one for its (dyad, as_of) has a higher correction.
    top_correction: dict[tuple[str, Any], int] = {}
    for a in on_topic.values():
        step = (a["dyad"], a["as_of"])
        top_correction[step] = max(top_correction.get(step, 0), a["correction"])
    status, body = get(settings, "/api/alerts?limit=500")
    assert status == 200
    assert body["alerts"] == [to_jsonable({
        "alert_id": a["alert_id"], "dyad": a["dyad"], "as_of": a["as_of"], "from_level": a["from_level"],
        "to_level": a["to_level"], "revision": a["revision"], "status": a["status"], "replaces": a["replaces"],
        "correction": a["correction"], "superseded": a["correction"] < top_correction[(a["dyad"], a["as_of"])],
        "tension_index": a["snapshot"]["tension_index"],
        "provisional": a["snapshot"]["provisional"], "top_events": a["snapshot"]["top_events"]}) for a in expected_alerts]

    # Bad parameters: 400 naming the parameter; unknown dyad: 404.
    assert get(settings, "/api/indicators/ALB-IRN?since=yesterday") == (
        400, {"error": "`since`: not an ISO 8601 time: 'yesterday'"})
    assert get(settings, "/api/indicators/ALB-IRN?window=2d") == (
        400, {"error": "`window`: expected one of 1d, 7d, 30d, got '2d'"})
    assert get(settings, "/api/events/ALB-IRN?limit=0") == (
        400, {"error": "`limit`: expected a whole number from 1 to 200, got '0'"})
    assert get(settings, "/api/alerts?sinse=2022-01-01") == (
        400, {"error": "`sinse`: unknown parameter (expected: limit, since)"})
    assert get(settings, "/api/events/ALB-SRB") == (
        404, {"error": "`dyad`: unknown dyad 'ALB-SRB' (known: ALB-IRN, ALB-ISR, IRN-ISR)"})
    assert get(settings, "/api/indicators/..%2F..%2Fetc")[0] in (400, 404)
    # Read-only: no route takes a write, and no path reaches the file system.
    for path in ("/api/dyads", "/api/indicators/ALB-IRN", "/api/events/ALB-IRN", "/api/alerts", "/dashboard",
                 "/metrics", "/healthz"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert status_of(settings, method, path) == 405, (method, path)
    for path in ("/dashboard/static/..%2F..%2F..%2Fconfig%2Fpipeline.yaml", "/dashboard/static/../../settings.py",
                 "/dashboard/static/dashboard.html", "/dashboard/static/%2Fetc%2Fpasswd"):
        assert status_of(settings, "GET", path) == 404, path

    # /metrics: counters, the level gauge and the latency histogram's count.
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{settings.web.port}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        metrics = response.read().decode()
    lines = set(metrics.splitlines())
    assert 'geotension_records_in_total{agent="tag"} 17.0' in lines
    assert f'geotension_records_out_total{{agent="tag"}} {float(len(events))}' in lines
    assert 'geotension_agent_latency_seconds_count{agent="tag"} 17.0' in lines
    assert 'geotension_agent_latency_seconds_bucket{agent="tag",le="+Inf"} 17.0' in lines
    for dyad in DYADS:
        level = newest[dyad]["level"] if dyad in newest else "CALM"
        value = ["CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL"].index(level)
        assert f'geotension_dyad_level{{dyad="{dyad}",level="{level}"}} {float(value)}' in lines
    for partition in range(3):
        assert f'geotension_consumer_lag{{partition="{partition}",topic="{settings.topic("news_raw")}"}} 0.0' in lines
    # The worker process's own figures come with them.
    assert any(line.startswith("process_resident_memory_bytes ") for line in lines)
    assert any(line.startswith('python_gc_collections_total{generation="0"} ') for line in lines)

    # /api/stream: a new article → a new snapshot of its dyad arrives on the open stream.
    late = sample_articles(lambda i: i == LATE_ARTICLE)
    _, after = oracle(settings, articles + late)
    expected_late = [s for s in after if s["dyad"] == "ALB-ISR"][-1]
    stream = sse_messages(settings)
    produce_articles(settings, late)
    for kind, data in stream:
        if kind == "snapshot" and data["dyad"] == "ALB-ISR" and data["as_of"] == format_time(expected_late["as_of"]):
            assert (data["level"], data["tension_index"], data["provisional"]) == (
                expected_late["level"], expected_late["tension_index"], expected_late["provisional"])
            assert data["top_events"] == to_jsonable(expected_late["top_events"])
            break
    stream.close()
