"""The local broker's lifecycle against a real Kafka: start, idempotence, stop, durability.

These tests run their own broker (own home folder under the test's temporary directory, own
free ports) rather than the session broker of ``kafka_bootstrap``, because they stop and
restart it. The jars are the project's, fetched once and linked into that home folder.
One broker serves the whole module; the restart test runs last and costs one more start.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

from streams.broker import BrokerStatus, LocalBroker, broker_answers
from streams.cli import cli
from streams.errors import BrokerError
from streams.settings import Settings, load_settings

pytestmark = pytest.mark.broker


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(home: Path, port: int, controller_port: int) -> Settings:
    base = load_settings()
    return dataclasses.replace(
        base,
        kafka=dataclasses.replace(base.kafka, bootstrap=f"127.0.0.1:{port}"),
        local_broker=dataclasses.replace(base.local_broker, home=str(home), controller_port=controller_port),
    )


@dataclasses.dataclass
class Running:
    """The module's broker, how it was first started, and the environment for its CLI."""

    broker: LocalBroker
    first: BrokerStatus
    started_now: bool
    env: dict[str, str]
    home: Path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A broker home folder whose ``libs-<version>`` links to the project's fetched jars."""
    base = load_settings()
    # Any loopback address will do: this object only fetches (or finds) the jars.
    fetcher = LocalBroker(dataclasses.replace(base, kafka=dataclasses.replace(base.kafka, bootstrap="127.0.0.1:1")))
    jars = fetcher.ensure_jars()
    folder = tmp_path_factory.mktemp("broker-home")
    (folder / jars.name).symlink_to(jars, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def running(home: Path) -> Iterator[Running]:
    port, controller_port = _free_port(), _free_port()
    broker = LocalBroker(_settings(home, port, controller_port))
    first, started_now = broker.start()
    env = {
        "GEOTENSION_BOOTSTRAP": f"127.0.0.1:{port}",
        "GEOTENSION_LOCAL_BROKER_HOME": str(home),
        "GEOTENSION_LOCAL_BROKER_CONTROLLER_PORT": str(controller_port),
    }
    try:
        yield Running(broker, first, started_now, env, home)
    finally:
        broker.stop()


def test_first_start_lives_in_its_own_instance_folder(running: Running) -> None:
    status = running.first
    assert running.started_now
    assert status.running and status.pid is not None
    assert status.version == load_settings().local_broker.version
    assert status.data_dir == running.home.resolve() / f"node-{running.broker.port}" / "data"
    assert (status.data_dir / "meta.properties").is_file()
    assert status.log_file.is_file()
    assert broker_answers(status.address)


def test_second_start_reports_already_running_and_keeps_one_process(running: Running) -> None:
    again, started_now = running.broker.start()
    assert not started_now
    assert again.pid == running.first.pid

    # A second object (what another `geotension broker start` builds) sees the same broker.
    other, other_started = LocalBroker(running.broker.settings).start()
    assert not other_started and other.pid == running.first.pid

    result = CliRunner().invoke(cli, ["broker", "start"], env=running.env)
    assert result.exit_code == 0, result.output
    assert "already running" in result.output
    assert f"pid {running.first.pid}" in result.output


def test_cli_status_prints_version_address_pid_and_data_folder(running: Running) -> None:
    result = CliRunner().invoke(cli, ["broker", "status"], env=running.env)
    assert result.exit_code == 0, result.output
    assert f"Kafka {running.first.version}" in result.output
    assert running.first.address in result.output
    assert str(running.first.pid) in result.output
    assert f"node-{running.broker.port}" in result.output and "data" in result.output


def test_port_held_by_another_program_is_named(home: Path, tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        broker = LocalBroker(_settings(home, port, _free_port()), instance_dir=tmp_path / "node")
        with pytest.raises(BrokerError, match=f"127.0.0.1:{port}.*in use by another program"):
            broker.start()
    assert not (tmp_path / "node" / "broker.pid").exists()


def test_foreign_broker_on_the_port_is_reported_not_stopped(running: Running, tmp_path: Path) -> None:
    # Same address, different instance folder: that broker is not this object's to manage.
    intruder = LocalBroker(running.broker.settings, instance_dir=tmp_path / "elsewhere")
    with pytest.raises(BrokerError, match=f"another Kafka broker .* answers at {running.first.address}"):
        intruder.start()
    assert intruder.stop() is False
    assert not intruder.status().running
    assert running.broker.status().running


@pytest.mark.parametrize("bootstrap", ["10.1.2.3:9092", "broker:19092"])
def test_local_broker_refuses_a_non_loopback_address(bootstrap: str) -> None:
    base = load_settings()
    settings = dataclasses.replace(base, kafka=dataclasses.replace(base.kafka, bootstrap=bootstrap))
    with pytest.raises(BrokerError, match=f"loopback.*{bootstrap}"):
        LocalBroker(settings)


def test_stale_pid_file_is_ignored(home: Path, tmp_path: Path) -> None:
    broker = LocalBroker(_settings(home, _free_port(), _free_port()), instance_dir=tmp_path / "node")
    broker.instance_dir.mkdir(parents=True)
    # A live process that is not a Kafka broker, as after a reboot reused the old pid.
    broker.pid_file.write_text("1\n", encoding="utf-8")
    status = broker.status()
    assert not status.running and status.pid is None
    assert broker.stop() is False
    assert not broker.pid_file.exists()


def test_a_topic_made_by_hand_keeps_event_time_stamped_records(running: Running) -> None:
    # Records carry event times years back; the broker's usual 7-day retention would delete
    # them at its next retention check, so the local broker keeps records by default.
    topic = f"t-hand-{time.time_ns() % 10**8:08d}"
    admin = KafkaAdminClient(bootstrap_servers=running.first.address, client_id="test-broker")
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all")
    finally:
        admin.close()
    retention = configs["topic"][topic]["retention.ms"]
    assert (retention["value"], retention["config_source"]) == ("-1", "STATIC_BROKER_CONFIG")


def test_records_survive_a_restart_and_stop_frees_the_port(running: Running) -> None:
    broker, address = running.broker, running.first.address
    topic = f"t-durable-{time.time_ns() % 10**8:08d}"
    sent = [(f"k{i}".encode(), f"value {i}".encode()) for i in range(25)]

    admin = KafkaAdminClient(bootstrap_servers=address, client_id="test-broker")
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=address, acks="all")
    for key, value in sent:
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=30)
    producer.close()

    began = time.monotonic()
    assert broker.stop() is True
    stop_s = time.monotonic() - began
    assert not broker.status().running
    with socket.socket() as sock:  # the port can be bound again, as a restarted broker will
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", broker.port))
        sock.listen()

    restarted, started_now = broker.start()
    assert started_now and restarted.pid != running.first.pid

    consumer = KafkaConsumer(bootstrap_servers=address, enable_auto_commit=False, client_id="test-broker")
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    received: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + 30
    while len(received) < len(sent) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            received.extend((record.key, record.value) for record in records)
    consumer.close()
    assert received == sent
    assert stop_s < 30


def test_cli_stop_then_status_reports_not_running(running: Running) -> None:
    runner = CliRunner()
    stopped = runner.invoke(cli, ["broker", "stop"], env=running.env)
    assert stopped.exit_code == 0, stopped.output
    assert "stopped" in stopped.output
    assert not broker_answers(running.first.address, timeout_s=1.0)

    status = runner.invoke(cli, ["broker", "status"], env=running.env)
    assert status.exit_code == 3, status.output
    assert "not running" in status.output

    again = runner.invoke(cli, ["broker", "stop"], env=running.env)
    assert again.exit_code == 0 and "not running" in again.output
