"""docker-compose.yml means what it should: one KRaft node of the pinned Kafka plus the worker.

No Docker engine is needed for the semantic checks (the file is parsed as YAML); the
``docker compose config`` check runs only where an engine answers.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
POM = REPO / "tools" / "kafka" / "pom.xml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def broker_env(compose: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in compose["services"]["broker"]["environment"].items()}


def _pom_kafka_version() -> str:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(POM).getroot()
    version = root.findtext("m:properties/m:kafka.version", namespaces=namespace)
    assert version, "tools/kafka/pom.xml has no <kafka.version> property"
    dependency = root.find("m:dependencies/m:dependency[m:artifactId='kafka_2.13']", namespace)
    assert dependency is not None and dependency.findtext("m:version", namespaces=namespace) == "${kafka.version}"
    return version


def _listeners(value: str) -> dict[str, str]:
    """``NAME://host:port,...`` as ``{NAME: host:port}``."""
    pairs = (item.split("://", 1) for item in value.split(","))
    return {name: address for name, address in pairs}


def test_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"broker", "worker"}
    assert set(compose["volumes"]) == {"kafka-data", "worker-state"}


def test_image_is_the_pinned_kafka_version(compose: dict[str, Any]) -> None:
    pinned = _pom_kafka_version()
    assert compose["services"]["broker"]["image"] == f"apache/kafka:{pinned}"
    assert load_settings().local_broker.version == pinned


def test_single_node_kraft(broker_env: dict[str, str]) -> None:
    assert broker_env["KAFKA_NODE_ID"] == "1"
    assert set(broker_env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert broker_env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@broker:9093"
    assert broker_env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert len(broker_env["CLUSTER_ID"]) == 22  # base64url of 16 bytes, as StorageTool expects


def test_listeners(compose: dict[str, Any], broker_env: dict[str, str]) -> None:
    listeners = _listeners(broker_env["KAFKA_LISTENERS"])
    advertised = _listeners(broker_env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(item.split(":") for item in broker_env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert listeners == {"PLAINTEXT": ":19092", "PLAINTEXT_HOST": ":9092", "CONTROLLER": ":9093"}
    assert advertised == {"PLAINTEXT": "broker:19092", "PLAINTEXT_HOST": "localhost:9092"}
    assert protocols == {"CONTROLLER": "PLAINTEXT", "PLAINTEXT": "PLAINTEXT", "PLAINTEXT_HOST": "PLAINTEXT"}
    assert broker_env["KAFKA_INTER_BROKER_LISTENER_NAME"] == "PLAINTEXT"
    # Only the host listener is published, and only on the host's loopback.
    assert compose["services"]["broker"]["ports"] == ["127.0.0.1:9092:9092"]


def test_every_replication_factor_is_one(broker_env: dict[str, str]) -> None:
    factors = {key: value for key, value in broker_env.items() if key.endswith("REPLICATION_FACTOR")}
    assert set(factors) == {
        "KAFKA_DEFAULT_REPLICATION_FACTOR",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    }
    assert set(factors.values()) == {"1"}
    assert broker_env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "1"
    assert broker_env["KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR"] == "1"
    assert broker_env["KAFKA_MIN_INSYNC_REPLICAS"] == "1"
    assert broker_env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert broker_env["KAFKA_LOG_CLEANER_ENABLE"] == "true"
    # Event-time record timestamps: replayed history must not age out in minutes.
    assert broker_env["KAFKA_LOG_RETENTION_MS"] == "-1"


def test_broker_data_in_a_named_volume(compose: dict[str, Any], broker_env: dict[str, str]) -> None:
    assert compose["services"]["broker"]["volumes"] == [f"kafka-data:{broker_env['KAFKA_LOG_DIRS']}"]


def test_worker_reaches_broker_on_the_internal_listener(compose: dict[str, Any], broker_env: dict[str, str]) -> None:
    worker = compose["services"]["worker"]
    internal = _listeners(broker_env["KAFKA_ADVERTISED_LISTENERS"])[broker_env["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    assert worker["environment"]["GEOTENSION_BOOTSTRAP"] == internal == "broker:19092"
    assert worker["environment"]["GEOTENSION_WEB_HOST"] == "0.0.0.0"
    assert worker["ports"] == ["127.0.0.1:6066:6066"]
    assert worker["depends_on"] == {"broker": {"condition": "service_healthy"}}
    assert worker["build"]["dockerfile"] == "Dockerfile"
    assert "broker:19092" in " ".join(compose["services"]["broker"]["healthcheck"]["test"])


def test_dockerfile_runs_the_worker() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text.splitlines()
    assert 'CMD ["geotension", "worker"]' in text
    ignored = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".kafka", ".geotension", "out", ".git"} <= ignored


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_docker_compose_accepts_the_file() -> None:
    if not _docker_engine_answers():
        pytest.skip("no Docker engine answers `docker info`; the compose file is checked by the YAML tests only")
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
