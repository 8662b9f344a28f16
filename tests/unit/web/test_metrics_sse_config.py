"""/metrics through prometheus-client, SSE framing and client queues, and dashboard.yaml."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.metrics import PipelineCounters
from streams.web.config import DashboardSettings, load_dashboard_settings
from streams.web.metrics import render_metrics
from streams.web.sse import CLOSE, SseHub, format_sse
from tests.unit.web.test_views import alert, snap


def test_timed_observes_even_when_the_call_fails() -> None:
    counters = PipelineCounters()
    assert counters.timed("tag", lambda x: x * 2, 21) == 42
    with pytest.raises(ZeroDivisionError):
        counters.timed("tag", lambda: 1 / 0)
    assert counters.latency_count("tag") == 2 and counters.latency_count("gdelt") == 0


def _counters() -> PipelineCounters:
    counters = PipelineCounters()
    counters.records_in["tag"] += 3
    counters.records_out["tag"] += 2
    counters.dead_letters["tag:SchemaError"] += 1
    counters.skipped["tag:no-event"] += 1
    counters.observe_latency("tag", 0.5)
    counters.observe_latency("tag", 0.003)
    return counters


ROWS = [{"dyad": "ALB-IRN", "level": "HIGH", "level_value": 2, "tension_index": 42.5}]


def test_metrics_text_exact() -> None:
    body, content_type = render_metrics(_counters(), ROWS, {("news.raw", 0): 7}, {"snapshot": 4}, runtime=False)
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert body.decode() == "\n".join([
        "# HELP geotension_records_in_total Records an agent has taken from its input topic.",
        "# TYPE geotension_records_in_total counter",
        'geotension_records_in_total{agent="tag"} 3.0',
        "# HELP geotension_records_out_total Records an agent has produced, by agent or output.",
        "# TYPE geotension_records_out_total counter",
        'geotension_records_out_total{agent="tag"} 2.0',
        "# HELP geotension_dead_letters_total Records sent to the dead-letter topic, by agent and error type.",
        "# TYPE geotension_dead_letters_total counter",
        'geotension_dead_letters_total{agent="tag",reason="SchemaError"} 1.0',
        "# HELP geotension_skipped_total Records processed without output, by agent and cause.",
        "# TYPE geotension_skipped_total counter",
        'geotension_skipped_total{agent="tag",cause="no-event"} 1.0',
        "# HELP geotension_consumer_lag Records on an assigned input partition that this worker has not read yet.",
        "# TYPE geotension_consumer_lag gauge",
        'geotension_consumer_lag{partition="0",topic="news.raw"} 7.0',
        "# HELP geotension_dyad_level Current escalation level per dyad: 0=CALM, 1=ELEVATED, 2=HIGH, 3=SEVERE, 4=CRITICAL.",
        "# TYPE geotension_dyad_level gauge",
        'geotension_dyad_level{dyad="ALB-IRN",level="HIGH"} 2.0',
        "# HELP geotension_dyad_tension_index Current tension index (0-100) per dyad.",
        "# TYPE geotension_dyad_tension_index gauge",
        'geotension_dyad_tension_index{dyad="ALB-IRN"} 42.5',
        "# HELP geotension_view_records_total Output records the read models have consumed, by kind.",
        "# TYPE geotension_view_records_total counter",
        'geotension_view_records_total{kind="snapshot"} 4.0',
        "# HELP geotension_agent_latency_seconds Seconds an agent spends on one record.",
        "# TYPE geotension_agent_latency_seconds histogram",
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.0005"} 0.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.001"} 0.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.0025"} 0.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.005"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.01"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.025"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.05"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.1"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="0.25"} 1.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="1.0"} 2.0',
        'geotension_agent_latency_seconds_bucket{agent="tag",le="+Inf"} 2.0',
        'geotension_agent_latency_seconds_count{agent="tag"} 2.0',
        'geotension_agent_latency_seconds_sum{agent="tag"} 0.503',
    ]) + "\n"


def test_metrics_include_process_and_gc_figures_and_speak_openmetrics_when_asked() -> None:
    body, _ = render_metrics(_counters(), ROWS, None)
    names = {line.split(" ")[2] for line in body.decode().splitlines() if line.startswith("# TYPE ")}
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
            "python_gc_collections_total", "python_gc_objects_collected_total", "python_info"} <= names
    open_body, content_type = render_metrics(_counters(), ROWS, None, accept="application/openmetrics-text; version=1.0.0",
                                             runtime=False)
    assert content_type.startswith("application/openmetrics-text; version=1.0.0")
    text = open_body.decode()
    assert "# TYPE geotension_records_in counter\n" in text and 'geotension_records_in_total{agent="tag"} 3.0\n' in text
    assert text.endswith("# EOF\n")


def test_label_values_are_escaped() -> None:
    counters = PipelineCounters()
    counters.skipped['views:a"b\\c\nd'] += 1
    body, _ = render_metrics(counters, [], None, runtime=False)
    assert 'geotension_skipped_total{agent="views",cause="a\\"b\\\\c\\nd"} 1.0' in body.decode().splitlines()


def test_sse_frame_is_one_data_line() -> None:
    assert format_sse("alert", {"s": "two\nlines <script>"}, 7) == (
        b'id: 7\nevent: alert\ndata: {"s":"two\\nlines <script>"}\n\n')


def test_hub_fans_out_limits_clients_and_drops_slow_ones() -> None:
    async def scenario() -> None:
        hub = SseHub(max_clients=2, queue_size=2)
        fast, slow = hub.subscribe(), hub.subscribe()
        assert fast is not None and slow is not None
        assert hub.subscribe() is None
        hub("snapshot", snap("ALB-IRN", 1, 5.0))
        hub("alert", alert("ALB-IRN", 1))
        assert fast.get_nowait().startswith(b"id: 1\nevent: snapshot\ndata: {\"dyad\":\"ALB-IRN\"")
        assert fast.get_nowait().startswith(b"id: 2\nevent: alert\ndata: {\"alert_id\":\"ALB-IRN-1\"")
        hub("snapshot", snap("ALB-IRN", 2, 6.0))  # slow still holds two: it is dropped and told
        assert hub.clients == {fast}
        assert slow.get_nowait() == b'event: overflow\ndata: {"error":"client too slow; reconnect"}\n\n'
        assert slow.empty() and hub.dropped_clients == 1
        hub.close()
        assert fast.get_nowait().startswith(b"id: 3\n") and fast.get_nowait() is CLOSE

    asyncio.run(scenario())


def test_dashboard_settings_defaults_file_and_env(tmp_path: Path) -> None:
    assert load_dashboard_settings(tmp_path, env={}) == DashboardSettings()
    (tmp_path / "dashboard.yaml").write_text("history: 30d\nevents_per_dyad: 10\ntrend_band: 1\n")
    got = load_dashboard_settings(tmp_path, env={"GEOTENSION_DASHBOARD_EVENTS_PER_DYAD": "25"})
    assert (got.history, got.events_per_dyad, got.trend_band) == (timedelta(days=30), 25, 1.0)


@pytest.mark.parametrize(("text", "env", "message"), [
    ("histroy: 30d\n", {}, "unknown key `histroy`"),
    ("events_per_dyad: 0\n", {}, "`events_per_dyad`: expected a whole number >= 1, got 0"),
    ("history: soon\n", {}, "`history`: expected a duration like 7d"),
    ("", {"GEOTENSION_DASHBOARD_TREND_BAND": "wide"}, "environment `GEOTENSION_DASHBOARD_TREND_BAND`: expected a number"),
    ("- a\n", {}, "top level: expected a mapping, got list"),
])
def test_dashboard_settings_errors_name_file_and_key(tmp_path: Path, text: str, env: dict[str, str], message: str) -> None:
    (tmp_path / "dashboard.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_dashboard_settings(tmp_path, env=env)
    assert message in str(info.value)
    if not env:
        assert str(info.value).startswith(str(tmp_path / "dashboard.yaml"))


def test_repository_dashboard_yaml_loads() -> None:
    root = Path(__file__).resolve().parents[3]
    cfg = load_dashboard_settings(root / "config", env={})
    assert cfg == DashboardSettings()
    assert datetime(2022, 1, 1, tzinfo=UTC) + cfg.history == datetime(2023, 1, 1, tzinfo=UTC)
