"""Typed settings: defaults from config/, env overrides, and one-line errors naming file and key."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.settings import PACKAGE_ROOT, load_settings


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(PACKAGE_ROOT / "config", target)
    return target


def test_shipped_config_loads(config_dir: Path) -> None:
    settings = load_settings(config_dir, env={})
    assert settings.kafka.bootstrap == "127.0.0.1:9092"
    assert settings.topic("events") == "tension.events"
    assert settings.topic_spec("news_raw").partitions == 3
    assert settings.indicators.windows == (timedelta(days=1), timedelta(days=7), timedelta(days=30))
    assert settings.indicators.horizon == timedelta(days=90)
    assert settings.web.host == "127.0.0.1"


def test_env_overrides_are_typed(config_dir: Path) -> None:
    env = {
        "GEOTENSION_BOOTSTRAP": "127.0.0.1:39092",
        "GEOTENSION_TOPICS_PREFIX": "t1.",
        "GEOTENSION_WEB_PORT": "7000",
        "GEOTENSION_WEB_ENABLED": "false",
        "GEOTENSION_APP_COMMIT_INTERVAL_S": "0.5",
    }
    settings = load_settings(config_dir, env=env)
    assert settings.kafka.bootstrap == "127.0.0.1:39092"
    assert settings.topic("news_raw") == "t1.news.raw"
    assert settings.web.port == 7000
    assert settings.web.enabled is False
    assert settings.app.commit_interval_s == 0.5


def test_bad_env_value_names_the_variable(config_dir: Path) -> None:
    with pytest.raises(ConfigError, match="environment `GEOTENSION_WEB_PORT`: expected int, got 'abc'"):
        load_settings(config_dir, env={"GEOTENSION_WEB_PORT": "abc"})


def test_unknown_key_names_file_and_key(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    path.write_text(path.read_text() + "\nweb2:\n  port: 1\n")
    with pytest.raises(ConfigError, match=r"pipeline.yaml: unknown key `web2`"):
        load_settings(config_dir, env={})


def test_wrong_type_names_file_and_key(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    path.write_text(path.read_text().replace("port: 6066", "port: sixty"))
    with pytest.raises(ConfigError, match=r"pipeline.yaml: `web.port`: expected int, got 'sixty'"):
        load_settings(config_dir, env={})


def test_yaml_object_tags_are_refused(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    path.write_text("app: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match=r"pipeline.yaml: line 1: "):
        load_settings(config_dir, env={})


def test_secret_in_file_is_refused_and_env_secret_is_hidden(config_dir: Path) -> None:
    settings = load_settings(config_dir, env={"GEOTENSION_KAFKA_SASL_PASSWORD": "hunter2"})
    assert settings.kafka.sasl_password.reveal() == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.kafka.sasl_password)
    path = config_dir / "pipeline.yaml"
    path.write_text(path.read_text().replace('sasl_username: ""', 'sasl_username: ""\n  sasl_password: x'))
    with pytest.raises(ConfigError, match="secrets are read only from the environment"):
        load_settings(config_dir, env={})


def test_indicator_thresholds_must_rise(config_dir: Path) -> None:
    path = config_dir / "indicators.yaml"
    path.write_text(path.read_text().replace("enter: {ELEVATED: 20, HIGH: 40", "enter: {ELEVATED: 50, HIGH: 40"))
    with pytest.raises(ConfigError, match=r"indicators.yaml: `levels.enter`: thresholds must rise"):
        load_settings(config_dir, env={})


def test_topics_keep_records_unless_told_otherwise(config_dir: Path) -> None:
    assert load_settings(config_dir, env={}).topic_spec("news_raw").retention_ms == -1
    env = {"GEOTENSION_TOPICS_NEWS_RAW_RETENTION_MS": "86400000"}
    assert load_settings(config_dir, env=env).topic_spec("news_raw").retention_ms == 86_400_000
    with pytest.raises(ConfigError, match=r"^environment `GEOTENSION_TOPICS_NEWS_RAW_RETENTION_MS`: must be -1 "
                                          r"\(keep forever\) or a positive .*, got '0' \(it overrides `topics.news_raw.retention_ms`"):
        load_settings(config_dir, env={"GEOTENSION_TOPICS_NEWS_RAW_RETENTION_MS": "0"})


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pipeline.yaml: config file not found"):
        load_settings(tmp_path, env={})


def test_the_installed_packages_own_config_keeps_state_in_the_working_directory(tmp_path, monkeypatch) -> None:
    import streams.settings as settings_module

    bundled = tmp_path / "site" / "streams" / "_bundled"
    shutil.copytree(PACKAGE_ROOT / "config", bundled / "config")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(settings_module, "BUNDLED_ROOT", bundled)
    monkeypatch.chdir(work)
    monkeypatch.delenv("GEOTENSION_CONFIG_DIR", raising=False)
    assert settings_module.resource_dir("config") == bundled / "config"
    loaded = load_settings()
    assert loaded.config_dir == (bundled / "config").resolve()
    assert loaded.root == work.resolve()
    assert loaded.path(".kafka") == work.resolve() / ".kafka"
    # A config folder of the user's own keeps its state beside it, as before.
    assert load_settings(bundled / "config").root == work.resolve()
    own = tmp_path / "mine" / "config"
    shutil.copytree(PACKAGE_ROOT / "config", own)
    assert load_settings(own).root == own.parent.resolve()
