"""A SASL_SSL (SCRAM-SHA-512) broker: the pipeline works through it, and mistakes fail in one line.

One secure broker per test session (``secure_broker``): ``LocalBroker(..., secure=True)`` on
free loopback ports with its own home folder, a test CA and broker certificate made on the
fly, and the SCRAM user created when its data folder is formatted. The session's PLAINTEXT
broker is not needed. Every CLI runs as a real subprocess, so what is asserted is what a user
sees on stderr (one line, no traceback) and the exit code. The password has a distinctive
random value and is looked for in every captured output, log file and file the broker wrote.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from streams.broker import LocalBroker
from streams.demo import worker_env
from streams.lag import read_all, wait_caught_up
from streams.records import article_from_mapping
from streams.settings import PACKAGE_ROOT, Secret, Settings
from streams.tagging import Tagger
from streams.topics import ensure_topics
from tests.integration.conftest import private_broker_settings
from tests.integration.independent import decode

pytestmark = [pytest.mark.broker]

USER = "geotension-test"
#: Random per session, with a marker that makes an accidental match impossible.
PASSWORD = f"pw-{secrets.token_urlsafe(18)}-secret"

ARTICLE = {
    "id": "sec-1",
    "source": "wire",
    "url": "https://example.org/secure/1",
    "title": "Albania expels Iranian diplomats over cyberattack",
    "body": "Albania on Wednesday expelled Iran's ambassador and all embassy staff, "
            "blaming Iran for the July cyberattack on government servers.",
    "language": "en",
    "published_at": "2022-09-07T09:00:00Z",
}



@dataclasses.dataclass
class SecureBroker:
    broker: LocalBroker
    settings: Settings  # client settings: SASL_SSL, SCRAM-SHA-512, the broker's CA, the right password


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    settings = private_broker_settings(tmp_path_factory, "secure-broker", security_protocol="SASL_SSL",
                                       sasl_mechanism="SCRAM-SHA-512", sasl_username=USER,
                                       sasl_password=Secret(PASSWORD))
    broker = LocalBroker(settings, secure=True)
    try:
        status, _ = broker.start()
        assert status.security_protocol == "SASL_SSL" and status.ca_file is not None
        settings = dataclasses.replace(settings, kafka=dataclasses.replace(settings.kafka, ssl_cafile=str(status.ca_file)))
        yield SecureBroker(broker, settings)
    finally:
        broker.stop()


@pytest.fixture
def secure_settings(secure_broker: SecureBroker, unique_name: Callable[[str], str], tmp_path: Path) -> Settings:
    """Like ``make_settings``, on the secure broker: this test's own topics, app id and state."""
    config_dir = tmp_path / "config"
    shutil.copytree(PACKAGE_ROOT / "config", config_dir)
    base = secure_broker.settings
    settings = dataclasses.replace(
        base,
        config_dir=config_dir,
        topics=dataclasses.replace(base.topics, prefix=unique_name("p") + "."),
        app=dataclasses.replace(base.app, id=unique_name("app"), data_dir=str(tmp_path / "state")),
        web=dataclasses.replace(base.web, enabled=False),
    )
    ensure_topics(settings)
    return settings


def cli(settings: Settings, *args: str, env_extra: dict[str, str] | None = None,
        **kafka_overrides: str) -> subprocess.CompletedProcess[str]:
    """``geotension ARGS`` as a subprocess with ``settings`` in its environment (as a user runs it)."""
    env = worker_env(settings)
    env.update(env_extra or {})
    for key, value in kafka_overrides.items():
        env[f"GEOTENSION_KAFKA_{key.upper()}"] = value
    return subprocess.run([sys.executable, "-m", "streams", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode != 0, done
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")
    for needle in needles:
        assert needle in lines[0]
    assert PASSWORD not in done.stderr + done.stdout
    return lines[0]


def write_articles(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_worker_on_sasl_ssl_tags_a_replayed_article_like_the_offline_tagger(
    secure_settings: Settings, worker_factory: Callable[[Settings], subprocess.Popen[bytes]], tmp_path: Path,
) -> None:
    settings = secure_settings
    done = cli(settings, "replay", str(write_articles(tmp_path / "in.jsonl", [ARTICLE])))
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr

    worker = worker_factory(settings)
    news, events = settings.topic("news_raw"), settings.topic("events")
    assert wait_caught_up(settings, settings.app.id, [news, events], timeout_s=240,
                          on_poll=lambda lag: worker.poll() is None or pytest.fail("the worker exited"))

    expected = sorted(Tagger.from_settings(settings).tag(article_from_mapping(ARTICLE)), key=lambda e: e["event_id"])
    assert expected, "the article must code to at least one event, or this test proves nothing"
    messages = read_all(settings, events)
    assert [decode(m.value)[0] for m in messages] == ["TaggedEvent"] * len(messages)
    assert sorted((decode(m.value)[1] for m in messages), key=lambda e: e["event_id"]) == expected
    assert [m.key for m in messages] == [decode(m.value)[1]["dyad"].encode() for m in messages]
    assert read_all(settings, settings.topic("deadletter")) == []

    # The worker's own log, read after it stopped (everything flushed), never shows the password.
    worker.terminate()
    worker.wait(60)
    log = (tmp_path / "worker-0.log").read_text(encoding="utf-8", errors="replace")
    assert log.strip(), "the worker logged nothing: the check below would prove nothing"
    assert PASSWORD not in log


def test_wrong_password_is_one_line_naming_the_user_and_the_address(secure_settings: Settings, tmp_path: Path) -> None:
    settings = secure_settings
    source = write_articles(tmp_path / "in.jsonl", [ARTICLE])
    wrong = f"not-{PASSWORD}"
    for args in (("replay", str(source)), ("tail", "news_raw", "--timeout", "1")):
        done = cli(settings, *args, sasl_password=wrong)
        line = assert_one_line_error(done, settings.kafka.bootstrap, f"user {USER!r}", "SCRAM-SHA-512", "refused")
        assert wrong not in line
    # No password at all: said before any connection is tried.
    env_less = dataclasses.replace(settings, kafka=dataclasses.replace(settings.kafka, sasl_password=Secret("")))
    assert_one_line_error(cli(env_less, "tail", "news_raw", "--timeout", "1"), "GEOTENSION_KAFKA_SASL_PASSWORD")


def test_untrusted_ca_or_plaintext_client_against_the_sasl_ssl_port_is_one_line(
    secure_settings: Settings, tmp_path: Path,
) -> None:
    settings = secure_settings
    other_ca = _another_ca(tmp_path)
    assert_one_line_error(cli(settings, "tail", "news_raw", "--timeout", "1", ssl_cafile=str(other_ca)),
                          settings.kafka.bootstrap, "not trusted", str(other_ca))
    assert_one_line_error(cli(settings, "tail", "news_raw", "--timeout", "1", security_protocol="PLAINTEXT"),
                          settings.kafka.bootstrap, "speaks TLS", "GEOTENSION_KAFKA_SECURITY_PROTOCOL")
    assert_one_line_error(cli(settings, "replay", str(write_articles(tmp_path / "in.jsonl", [ARTICLE])),
                              security_protocol="PLAINTEXT"), settings.kafka.bootstrap, "speaks TLS")


def test_password_is_in_no_help_text_settings_repr_or_broker_file(
    secure_broker: SecureBroker, secure_settings: Settings,
) -> None:
    settings = secure_settings
    helps = [("--help",), ("worker", "--help"), ("replay", "--help"), ("tail", "--help"), ("broker", "--help"),
             ("broker", "start", "--help")]
    with ThreadPoolExecutor(len(helps)) as pool:  # independent processes: no need to wait for each in turn
        for done in pool.map(lambda args: cli(settings, *args), helps):
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip()
            assert PASSWORD not in done.stdout + done.stderr

    assert settings.kafka.sasl_password.reveal() == PASSWORD
    for text in (repr(settings), str(settings), repr(settings.kafka), str(settings.kafka),
                 repr(settings.kafka.sasl_password), str(settings.kafka.sasl_password), f"{settings.kafka.sasl_password}",
                 repr(secure_broker.broker.client_security())):
        assert PASSWORD not in text

    # `broker status` reaches the secure listener (TLS + SCRAM) and shows no secret either.
    local = secure_broker.broker.settings.local_broker
    done = cli(settings, "broker", "status", env_extra={
        "GEOTENSION_LOCAL_BROKER_HOME": local.home, "GEOTENSION_LOCAL_BROKER_CONTROLLER_PORT": str(local.controller_port),
    })
    assert done.returncode == 0, done.stdout + done.stderr
    assert "running" in done.stdout and "SASL_SSL" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr

    # The broker got only the salted SCRAM form: neither its config, logs, data nor TLS folder has it.
    files = [p for p in secure_broker.broker.instance_dir.rglob("*") if p.is_file()]
    assert any(p.name == "server.log" for p in files)
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue  # the running broker rolled or cleaned it away meanwhile
        assert PASSWORD.encode() not in content, path
    assert oct(secure_broker.broker.properties_file.stat().st_mode & 0o777) == "0o600"


def _another_ca(folder: Path) -> Path:
    """A CA certificate that did not sign the broker's certificate (made with the JDK's keytool)."""
    keytool = shutil.which("keytool")
    java = shutil.which("java")
    if java and (Path(java).resolve().parent / "keytool").is_file():
        keytool = str(Path(java).resolve().parent / "keytool")
    assert keytool, "keytool comes with the JDK the broker needs"
    store, pem = folder / "other-ca.p12", folder / "other-ca.pem"
    common = ["-keystore", str(store), "-storetype", "PKCS12", "-storepass", "changeit"]
    for step in (["-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=other CA",
                  "-ext", "bc:c=ca:true", "-keypass", "changeit", *common],
                 ["-exportcert", "-rfc", "-alias", "ca", "-file", str(pem), *common]):
        subprocess.run([keytool, *step], check=True, capture_output=True, timeout=120, env=dict(os.environ))
    return pem
