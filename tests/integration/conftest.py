"""Factories for pipeline settings and worker processes on the session broker."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.broker import LocalBroker
from streams.demo import start_worker, stop_worker
from streams.settings import PACKAGE_ROOT, Settings, load_settings
from streams.topics import ensure_topics


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_broker_settings(tmp_path_factory: pytest.TempPathFactory, name: str, **kafka: Any) -> Settings:
    """Settings for a broker of a test's own: the project's jars, a fresh home, free ports.

    ``kafka`` overrides client settings (security protocol, credentials, ...).
    """
    base = load_settings()
    fetcher = LocalBroker(dataclasses.replace(base, kafka=dataclasses.replace(base.kafka, bootstrap="127.0.0.1:1")))
    jars = fetcher.ensure_jars()
    home = tmp_path_factory.mktemp(name)
    (home / jars.name).symlink_to(jars, target_is_directory=True)
    return dataclasses.replace(
        base,
        kafka=dataclasses.replace(base.kafka, bootstrap=f"127.0.0.1:{free_port()}", **kafka),
        local_broker=dataclasses.replace(base.local_broker, home=str(home), controller_port=free_port()),
    )


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
