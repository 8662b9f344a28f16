"""Factories for pipeline settings and worker processes on the session broker."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from streams.demo import start_worker, stop_worker
from streams.settings import PACKAGE_ROOT, Settings, load_settings
from streams.topics import ensure_topics


@pytest.fixture
def make_settings(kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path) -> Callable[..., Settings]:
    """Settings on the session broker with this test's own topics, app id and state folder."""

    def make(partitions: int | None = None, **indicator_overrides: object) -> Settings:
        """``indicator_overrides`` are indicators.yaml keys (``horizon="30d"``); the worker sees them too."""
        config_dir = tmp_path / f"config-{unique_name('c')}"
        shutil.copytree(PACKAGE_ROOT / "config", config_dir)
        if indicator_overrides:
            path = config_dir / "indicators.yaml"
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            raw.update(indicator_overrides)
            path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        base = load_settings(config_dir)
        prefix = unique_name("p") + "."
        topics = base.topics
        if partitions is not None:
            topics = dataclasses.replace(topics, **{
                key: dataclasses.replace(getattr(topics, key), partitions=partitions)
                for key in ("news_raw", "events", "indicators")
            })
        settings = dataclasses.replace(
            base,
            kafka=dataclasses.replace(base.kafka, bootstrap=kafka_bootstrap),
            topics=dataclasses.replace(topics, prefix=prefix),
            app=dataclasses.replace(base.app, id=unique_name("app"), data_dir=str(tmp_path / "state")),
            web=dataclasses.replace(base.web, enabled=False),
        )
        ensure_topics(settings)
        return settings

    return make


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Callable[[Settings], subprocess.Popen[bytes]]]:
    """Start ``geotension worker`` processes; all are stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(settings: Settings) -> subprocess.Popen[bytes]:
        proc = start_worker(settings, tmp_path / f"worker-{len(started)}.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        stop_worker(proc, timeout_s=20.0)
    # Shown by pytest only when the test failed: what each worker said last.
    for log_file in sorted(tmp_path.glob("worker-*.log")):
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        print(f"--- last lines of {log_file.name} ---", *lines[-40:], sep="\n")
