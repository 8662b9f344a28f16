"""One frozen, typed settings object loaded from ``config/*.yaml`` and the environment.

Usage::

    from streams.settings import load_settings
    settings = load_settings()                 # config/ beside the package, env overrides
    settings.kafka.bootstrap                   # "127.0.0.1:9092"
    settings.topic("events")                   # "tension.events" (with the configured prefix)

Every scalar in ``config/pipeline.yaml`` can be overridden by an environment variable named
after its path: ``kafka.bootstrap`` → ``GEOTENSION_KAFKA_BOOTSTRAP``, ``topics.prefix`` →
``GEOTENSION_TOPICS_PREFIX``, ``web.port`` → ``GEOTENSION_WEB_PORT``. ``GEOTENSION_BOOTSTRAP``
is a short alias for the broker address and ``GEOTENSION_CONFIG_DIR`` selects another config
folder. Secrets (the SASL password) are read only from the environment
(``GEOTENSION_KAFKA_SASL_PASSWORD``) and never printed.

Files are read with ``yaml.safe_load``; an unknown key, a wrong type or a YAML tag that would
construct an object is a :class:`ConfigError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from streams.durations import parse_duration
from streams.errors import ConfigError

ENV_PREFIX = "GEOTENSION_"
#: The source checkout's top level (config/, schemas/, samples/, tools/ beside the package).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: Where an installed package (wheel or ``pip install .``) carries copies of those folders; the
#: build step in setup.py puts them there, so the top-level folders stay the only source.
BUNDLED_ROOT = Path(__file__).resolve().parent / "_bundled"


def resource_dir(name: str) -> Path:
    """One of the project's own folders (``config``, ``schemas``, ``samples``, ``tools/kafka``).

    The copy bundled in an installed package when there is one, else the source checkout's.
    """
    bundled = BUNDLED_ROOT / name
    return bundled if bundled.is_dir() else PACKAGE_ROOT / name


class Secret(str):
    """A string that never shows its value in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')"

    def reveal(self) -> str:
        """The real value, for handing to a client library."""
        return str.__str__(self)

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True)
class KafkaSettings:
    """How clients reach Kafka. Env: ``GEOTENSION_KAFKA_*``."""

    bootstrap: str = "127.0.0.1:9092"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    ssl_cafile: str = ""
    request_timeout_s: float = 10.0
    sasl_password: Secret = field(default=Secret(""), repr=False)


@dataclass(frozen=True)
class LocalBrokerSettings:
    """The broker ``geotension broker start`` runs from Maven Central jars."""

    version: str = "4.3.1"
    home: str = ".kafka"
    controller_port: int = 9093
    heap: str = "512m"
    start_timeout_s: float = 90.0


@dataclass(frozen=True)
class TopicSettings:
    """One topic: its name (before the prefix) and partition count."""

    name: str
    partitions: int = 1
    #: ``retention.ms`` the topic is created with; -1 keeps records until deleted by hand.
    #: Kafka ages records by their timestamp, which here is the event time: with a 7-day
    #: retention, a replayed 2022 article is deleted at the broker's next retention check.
    retention_ms: int = -1


@dataclass(frozen=True)
class TopicsSettings:
    """Every topic the pipeline reads or writes."""

    prefix: str = ""
    news_raw: TopicSettings = TopicSettings("news.raw", 3)
    gdelt_raw: TopicSettings = TopicSettings("gdelt.raw", 1)
    events: TopicSettings = TopicSettings("tension.events", 3)
    indicators: TopicSettings = TopicSettings("tension.indicators", 3)
    alerts: TopicSettings = TopicSettings("tension.alerts", 1)
    deadletter: TopicSettings = TopicSettings("tension.deadletter", 1)


@dataclass(frozen=True)
class AppSettings:
    """The faust application."""

    id: str = "geotension"
    store: str = "rocksdb://"
    data_dir: str = ".geotension"
    processing_guarantee: str = "at_least_once"
    commit_interval_s: float = 1.0
    session_timeout_s: float = 15.0
    #: Records waiting this long with no agent progress count as a stall (0 turns the watchdog off).
    stall_timeout_s: float = 30.0
    #: How often the watchdog looks at the consumer.
    watchdog_interval_s: float = 5.0
    #: Times ``geotension worker`` restarts a worker process that stalled or died within
    #: ``restart_window_s`` before it gives up.
    max_restarts: int = 5
    restart_window_s: float = 600.0
    #: First pause before a restart; it doubles with each restart in the window, up to 30 s.
    restart_backoff_s: float = 1.0
    #: A partition of tension.events with records waiting holds the indicators' event time
    #: back (the low watermark) until it delivers, at most this long after its last record.
    partition_idle_s: float = 30.0
    #: The tag and indicator agents take up to this many records at a time; the indicator
    #: agent emits each changed snapshot once per batch (1 emits after every event).
    batch_max: int = 500
    #: ... waiting at most this long for a batch to fill (the latency it may add).
    batch_window_s: float = 0.05
    #: The producer gathers records this long into one request (0 sends each at once).
    producer_linger_ms: float = 5.0
    #: The longest the broker holds a fetch open waiting for data (faust fixes 1,500 ms).
    fetch_max_wait_ms: int = 100
    log_level: str = "info"
    #: ``asyncio`` or ``uvloop`` (the ``fast`` extra): faust's own per-record cost is mostly
    #: event-loop scheduling, which uvloop makes cheaper.
    event_loop: str = "asyncio"


@dataclass(frozen=True)
class WebSettings:
    """The worker's HTTP server."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 6066


@dataclass(frozen=True)
class TaggingSettings:
    """Limits of the tagger that belong to operations rather than rules."""

    max_body_chars: int = 100_000
    #: Articles dated before this year are refused (GDELT's CAMEO record starts in 1979).
    earliest_year: int = 1979
    #: Articles dated more than this many seconds after the processing time are refused.
    max_future_s: float = 86_400.0


@dataclass(frozen=True)
class LevelSettings:
    """Escalation levels: index thresholds to enter each level, hysteresis and dwell."""

    enter: Mapping[str, float] = field(
        default_factory=lambda: {"ELEVATED": 20.0, "HIGH": 40.0, "SEVERE": 60.0, "CRITICAL": 80.0}
    )
    hysteresis: float = 8.0
    min_dwell: timedelta = timedelta(days=2)


@dataclass(frozen=True)
class LargestEventSettings:
    """Which merged event is of the largest class and the level it lifts its dyad to on the day."""

    level: str = "HIGH"
    max_goldstein: float = -9.0
    min_coverage: int = 20
    codes: tuple[str, ...] = ("18", "19", "20")
    source_roles: tuple[str, ...] = ("GOV", "MIL")
    modalities: tuple[str, ...] = ("ASSERTED", "CLAIMED", "ATTRIBUTED")


@dataclass(frozen=True)
class MagnitudeSettings:
    """How much more than its report weight a merged event counts: coverage, severity, scale."""

    coverage_slope: float = 0.35
    coverage_cap: float = 3.0
    severity: Mapping[str, float] = field(default_factory=dict)
    scale_factor: float = 1.25
    max_boost: float = 4.0
    routine_discount: float = 1.0
    largest: LargestEventSettings = LargestEventSettings()


@dataclass(frozen=True)
class IndicatorSettings:
    """Event-time indicator maths (``config/indicators.yaml``)."""

    version: str = "1"
    step: timedelta = timedelta(days=1)
    windows: tuple[timedelta, ...] = (timedelta(days=1), timedelta(days=7), timedelta(days=30))
    horizon: timedelta = timedelta(days=90)
    half_life: timedelta = timedelta(days=7)
    baseline: timedelta = timedelta(days=180)
    index_scale: float = 30.0
    modality_weights: Mapping[str, float] = field(default_factory=dict)
    levels: LevelSettings = LevelSettings()
    top_events: int = 5
    dedupe_window: timedelta = timedelta(days=1)
    magnitude: MagnitudeSettings = MagnitudeSettings()


@dataclass(frozen=True)
class Settings:
    """Everything the product is configured with."""

    config_dir: Path
    root: Path
    kafka: KafkaSettings = KafkaSettings()
    local_broker: LocalBrokerSettings = LocalBrokerSettings()
    topics: TopicsSettings = TopicsSettings()
    app: AppSettings = AppSettings()
    web: WebSettings = WebSettings()
    tagging: TaggingSettings = TaggingSettings()
    indicators: IndicatorSettings = IndicatorSettings()
    actors: Mapping[str, Any] = field(default_factory=dict, repr=False)
    events: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def topic(self, key: str) -> str:
        """Full name of a topic by its settings key (``news_raw``, ``events``, …)."""
        spec: TopicSettings = getattr(self.topics, key)
        return f"{self.topics.prefix}{spec.name}"

    def topic_spec(self, key: str) -> TopicSettings:
        """The settings of one topic by key."""
        spec: TopicSettings = getattr(self.topics, key)
        return spec

    def path(self, value: str) -> Path:
        """Resolve a configured path against the project root."""
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.root / candidate

    def with_overrides(self, **sections: Any) -> Settings:
        """A copy with some sections replaced (tests and the demo use this)."""
        return dataclasses.replace(self, **sections)


TOPIC_KEYS = ("news_raw", "gdelt_raw", "events", "indicators", "alerts", "deadletter")


def default_config_dir() -> Path:
    """``$GEOTENSION_CONFIG_DIR``, else ``config/`` in the working directory, else the project's own."""
    env = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd() / "config"
    if (cwd / "pipeline.yaml").is_file():
        return cwd.resolve()
    return resource_dir("config")


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice in one mapping.

    Plain YAML keeps the last of two equal keys without a word, so a second ``demonyms:`` or
    ``horizon:`` further down a long file would silently replace the first.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: let SafeLoader report it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key `{key}`", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-untyped-call,no-any-return]


#: Top-level sections of actors.yaml and events.yaml the tagger reads; any other key is a typo
#: that would otherwise switch a section off silently. A new section is added here with its reader.
ACTORS_KEYS = frozenset({"version", "watched", "relevant_non_state", "kinds", "actors"})
EVENTS_KEYS = frozenset({"version", "events", "modality", "agent_markers", "suppress", "topics", "languages",
                         "backer_markers", "detect_also", "proper_names"})
#: Modalities of TaggedEvent (schemas/TaggedEvent.avsc); indicators.yaml weighs each.
MODALITY_NAMES = frozenset({"ASSERTED", "CLAIMED", "ATTRIBUTED", "ALLEGED", "DENIED", "THREATENED", "HYPOTHETICAL"})
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def _known_keys(mapping: Mapping[str, Any], known: frozenset[str], file: Path) -> None:
    for key in mapping:
        if key not in known:
            raise ConfigError(f"{file}: unknown key `{key}` (known: {', '.join(sorted(known))})")


def read_yaml(path: Path) -> Any:
    """Read one YAML file safely; any problem becomes a one-line ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        raise ConfigError(f"{path}: {where}: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from exc


def load_settings(config_dir: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Load and validate every config file, then apply ``GEOTENSION_*`` overrides."""
    cdir = Path(config_dir).resolve() if config_dir else default_config_dir()
    environ = os.environ if env is None else env
    pipeline_file = cdir / "pipeline.yaml"
    pipeline = _mapping(read_yaml(pipeline_file), pipeline_file, "")
    origins: dict[str, str] = {}
    pipeline = _apply_env(pipeline, environ, pipeline_file, origins)
    indicators_file = cdir / "indicators.yaml"
    indicators_raw = _mapping(read_yaml(indicators_file), indicators_file, "")
    actors_file = cdir / "actors.yaml"
    events_file = cdir / "events.yaml"
    actors = _mapping(read_yaml(actors_file), actors_file, "")
    events = _mapping(read_yaml(events_file), events_file, "")
    _known_keys(actors, ACTORS_KEYS, actors_file)
    _known_keys(events, EVENTS_KEYS, events_file)

    kafka_raw = dict(pipeline.get("kafka") or {})
    if "sasl_password" in kafka_raw:
        raise ConfigError(
            f"{pipeline_file}: `kafka.sasl_password`: secrets are read only from the environment "
            f"({ENV_PREFIX}KAFKA_SASL_PASSWORD)"
        )
    if environ.get(ENV_PREFIX + "BOOTSTRAP"):
        kafka_raw["bootstrap"] = environ[ENV_PREFIX + "BOOTSTRAP"]
        origins["kafka.bootstrap"] = ENV_PREFIX + "BOOTSTRAP"
    pipeline["kafka"] = kafka_raw

    try:
        built = _build(_PipelineFile, pipeline, pipeline_file, "")
    except ConfigError as exc:
        raise _blame_environment(exc, pipeline_file, origins, environ) from None
    kafka = dataclasses.replace(built.kafka, sasl_password=Secret(environ.get(ENV_PREFIX + "KAFKA_SASL_PASSWORD", "")))
    return Settings(
        config_dir=cdir,
        # State (.kafka, .geotension, relative paths) lives beside the config folder, except for
        # the installed package's own config: that is read-only package data, so the working
        # directory holds the state, as it would for any command-line tool.
        root=Path.cwd().resolve() if cdir.is_relative_to(BUNDLED_ROOT) else cdir.parent,
        kafka=kafka,
        local_broker=built.local_broker,
        topics=built.topics,
        app=built.app,
        web=built.web,
        tagging=built.tagging,
        indicators=_indicator_settings(indicators_raw, indicators_file),
        actors=actors,
        events=events,
    )


@dataclass(frozen=True)
class _PipelineFile:
    kafka: KafkaSettings = KafkaSettings()
    local_broker: LocalBrokerSettings = LocalBrokerSettings()
    topics: TopicsSettings = TopicsSettings()
    app: AppSettings = AppSettings()
    web: WebSettings = WebSettings()
    tagging: TaggingSettings = TaggingSettings()


_DURATION_KEYS = {"step", "horizon", "half_life", "baseline", "min_dwell", "dedupe_window"}


def _indicator_settings(raw: Mapping[str, Any], file: Path) -> IndicatorSettings:
    allowed = {f.name for f in dataclasses.fields(IndicatorSettings)}
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(f"{file}: unknown key `{key}` (known: {', '.join(sorted(allowed))})")
        try:
            if key in _DURATION_KEYS:
                data[key] = parse_duration(value, what=key)
            elif key == "windows":
                if not isinstance(value, list) or not value:
                    raise ConfigError("`windows`: expected a non-empty list of durations")
                data[key] = tuple(sorted(parse_duration(v, what="windows") for v in value))
            elif key == "levels":
                levels = _mapping(value, file, "levels")
                extra = set(levels) - {"enter", "hysteresis", "min_dwell"}
                if extra:
                    raise ConfigError(f"unknown key `levels.{sorted(extra)[0]}`")
                enter = _mapping(levels.get("enter", {}), file, "levels.enter")
                order = ["ELEVATED", "HIGH", "SEVERE", "CRITICAL"]
                if sorted(enter) != sorted(order):
                    raise ConfigError(f"`levels.enter` must give a threshold for each of {', '.join(order)}")
                values = [_number(enter[name], f"levels.enter.{name}") for name in order]
                if values != sorted(values) or len(set(values)) != len(values) or not 0 < values[0] <= values[-1] <= 100:
                    raise ConfigError("`levels.enter`: thresholds must rise strictly within (0, 100]")
                data[key] = LevelSettings(
                    enter=dict(zip(order, values, strict=True)),
                    hysteresis=_number(levels.get("hysteresis", 8.0), "levels.hysteresis"),
                    min_dwell=parse_duration(levels.get("min_dwell", "2d"), what="levels.min_dwell"),
                )
            elif key == "magnitude":
                data[key] = _magnitude_settings(_mapping(value, file, key))
            elif key == "modality_weights":
                weights = _mapping(value, file, key)
                for name in weights:
                    if name not in MODALITY_NAMES:
                        raise ConfigError(f"`modality_weights.{name}`: unknown modality "
                                          f"(known: {', '.join(sorted(MODALITY_NAMES))})")
                data[key] = {str(k): _number(v, f"modality_weights.{k}") for k, v in weights.items()}
            elif key in ("index_scale",):
                data[key] = _number(value, key)
            elif key == "top_events":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ConfigError("`top_events`: expected a whole number >= 0")
                data[key] = value
            elif key == "version":
                data[key] = str(value)
        except ConfigError as exc:
            message = str(exc)
            raise ConfigError(message if message.startswith(str(file)) else f"{file}: {message}") from None
    settings = IndicatorSettings(**data)
    if settings.horizon < max(settings.windows):
        raise ConfigError(f"{file}: `horizon` must be at least the largest window")
    return settings


def _magnitude_settings(raw: Mapping[str, Any]) -> MagnitudeSettings:
    """The ``magnitude`` section of indicators.yaml, every factor checked against its bounds."""
    known = {f.name for f in dataclasses.fields(MagnitudeSettings)}
    extra = set(raw) - known
    if extra:
        raise ConfigError(f"unknown key `magnitude.{sorted(extra)[0]}` (known: {', '.join(sorted(known))})")
    data: dict[str, Any] = {}
    for key in ("coverage_slope", "coverage_cap", "scale_factor", "max_boost", "routine_discount"):
        if key in raw:
            data[key] = _number(raw[key], f"magnitude.{key}")
    if data.get("coverage_slope", 0.0) < 0 or data.get("routine_discount", 0.0) < 0:
        raise ConfigError("`magnitude.coverage_slope` and `magnitude.routine_discount` must be >= 0")
    for key in ("coverage_cap", "scale_factor", "max_boost"):
        if key in data and not 1.0 <= data[key] <= 10.0:
            raise ConfigError(f"`magnitude.{key}`: a factor within [1, 10], got {data[key]}")
    severity = raw.get("severity") or {}
    if not isinstance(severity, dict):
        raise ConfigError("`magnitude.severity`: expected a mapping of CAMEO code to factor")
    data["severity"] = {}
    for code, factor in severity.items():
        value = _number(factor, f"magnitude.severity.{code}")
        if not str(code).isdigit() or not 0.5 <= value <= 2.0:
            raise ConfigError(f"`magnitude.severity.{code}`: a CAMEO code and a factor within [0.5, 2], got {factor!r}")
        data["severity"][str(code)] = value
    if "largest" in raw:
        largest = raw["largest"] or {}
        if not isinstance(largest, dict):
            raise ConfigError("`magnitude.largest`: expected a mapping")
        lknown = {f.name for f in dataclasses.fields(LargestEventSettings)}
        lextra = set(largest) - lknown
        if lextra:
            raise ConfigError(f"unknown key `magnitude.largest.{sorted(lextra)[0]}` (known: {', '.join(sorted(lknown))})")
        ldata: dict[str, Any] = {}
        if "level" in largest:
            if largest["level"] not in ("CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL"):
                raise ConfigError(f"`magnitude.largest.level`: unknown level {largest['level']!r}")
            ldata["level"] = str(largest["level"])
        if "max_goldstein" in largest:
            ldata["max_goldstein"] = _number(largest["max_goldstein"], "magnitude.largest.max_goldstein")
        if "min_coverage" in largest:
            ldata["min_coverage"] = int(_number(largest["min_coverage"], "magnitude.largest.min_coverage"))
        for key in ("codes", "source_roles", "modalities"):
            if key in largest:
                items = largest[key]
                if not isinstance(items, list) or not all(isinstance(i, (str, int)) for i in items):
                    raise ConfigError(f"`magnitude.largest.{key}`: expected a list")
                ldata[key] = tuple(str(i) for i in items)
        data["largest"] = LargestEventSettings(**ldata)
    return MagnitudeSettings(**data)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"`{what}`: expected a number, got {value!r}")
    return float(value)


def _mapping(value: Any, file: Path, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        where = f"`{path}`" if path else "top level"
        raise ConfigError(f"{file}: {where}: expected a mapping, got {type(value).__name__}")
    return dict(value)


def _leaf_paths(cls: type, prefix: tuple[str, ...] = ()) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Env names of every scalar field of a settings dataclass, with its path and type."""
    out: dict[str, tuple[tuple[str, ...], Any]] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        path = prefix + (f.name,)
        if dataclasses.is_dataclass(hint):
            out.update(_leaf_paths(hint, path))  # type: ignore[arg-type]
        else:
            out[ENV_PREFIX + "_".join(path).upper()] = (path, hint)
    return out


def _blame_environment(exc: ConfigError, file: Path, origins: Mapping[str, str],
                       environ: Mapping[str, str]) -> ConfigError:
    """``exc`` about a key whose value came from the environment, reworded to name the variable.

    The user set ``GEOTENSION_WEB_PORT``, not ``web.port`` in the file: the message must send
    them to what they typed. Errors about keys the file set are returned unchanged.
    """
    found = re.match(rf"^{re.escape(str(file))}: `([^`]+)`: (.*)$", str(exc), re.S)
    if found is None or found.group(1) not in origins:
        return exc
    name = origins[found.group(1)]
    why = found.group(2)
    if " got " not in why:
        why += f", got {environ.get(name, '')!r}"
    return ConfigError(f"environment `{name}`: {why} (it overrides `{found.group(1)}` of {file.name})")


def _apply_env(data: dict[str, Any], environ: Mapping[str, str], file: Path,
               origins: dict[str, str] | None = None) -> dict[str, Any]:
    """``data`` with every ``GEOTENSION_*`` override applied; ``origins`` gets dotted path → variable name."""
    leaves = _leaf_paths(_PipelineFile)
    for name, (path, hint) in leaves.items():
        if name not in environ or path == ("kafka", "sasl_password"):
            continue
        raw = environ[name]
        node = data
        for part in path[:-1]:
            child = node.get(part)
            if child is None:
                child = {}
            elif not isinstance(child, dict):
                raise ConfigError(f"{file}: `{'.'.join(path[:-1])}`: expected a mapping")
            node[part] = child = dict(child)
            node = child
        node[path[-1]] = _coerce_env(raw, hint, name)
        if origins is not None:
            origins[".".join(path)] = name
    return data


def _coerce_env(raw: str, hint: Any, name: str) -> Any:
    try:
        if hint is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if hint is int:
            return int(raw)
        if hint is float:
            return float(raw)
    except ValueError:
        raise ConfigError(f"environment `{name}`: expected {hint.__name__}, got {raw!r}") from None
    return raw


def _build(cls: type, data: Any, file: Path, path: str) -> Any:
    """Build a settings dataclass from a mapping, rejecting unknown keys and wrong types."""
    mapping = _mapping(data, file, path)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in mapping.items():
        where = f"{path}.{key}" if path else key
        if key not in fields:
            raise ConfigError(f"{file}: unknown key `{where}` (known: {', '.join(fields)})")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            kwargs[key] = _build(hint, value, file, where)  # type: ignore[arg-type]
        elif hint is TopicSettings or (isinstance(hint, type) and issubclass(hint, TopicSettings)):
            kwargs[key] = _build(TopicSettings, value, file, where)
        else:
            kwargs[key] = _check_scalar(value, hint, file, where)
    obj = cls(**kwargs)
    _validate(obj, file, path)
    return obj


def _check_scalar(value: Any, hint: Any, file: Path, where: str) -> Any:
    if hint is Secret:
        hint = str
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    ok = (
        (hint is bool and isinstance(value, bool))
        or (hint is int and isinstance(value, int) and not isinstance(value, bool))
        or (hint is float and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (hint is str and isinstance(value, (str, int, float)) and not isinstance(value, bool))
    )
    if not ok:
        raise ConfigError(f"{file}: `{where}`: expected {getattr(hint, '__name__', hint)}, got {value!r}")
    if hint is float:
        return float(value)
    if hint is str:
        return str(value)
    return value


def _validate(obj: Any, file: Path, path: str) -> None:
    def fail(key: str, why: str) -> None:
        raise ConfigError(f"{file}: `{path + '.' if path else ''}{key}`: {why}")

    if isinstance(obj, TopicSettings):
        if not obj.name:
            fail("name", "must not be empty")
        if obj.partitions < 1:
            fail("partitions", "must be at least 1")
        if obj.retention_ms != -1 and obj.retention_ms < 1:
            fail("retention_ms", "must be -1 (keep forever) or a positive number of milliseconds")
    elif isinstance(obj, WebSettings):
        if not 0 <= obj.port <= 65535:
            fail("port", "must be a TCP port (0-65535)")
    elif isinstance(obj, AppSettings):
        if not 6.0 <= obj.session_timeout_s <= 300.0:
            fail("session_timeout_s", "must be between 6 and 300 seconds (the broker's allowed range)")
        if obj.stall_timeout_s < 0:
            fail("stall_timeout_s", "must be 0 (off) or a positive number of seconds")
        if not 0.5 <= obj.watchdog_interval_s <= 300.0:
            fail("watchdog_interval_s", "must be between 0.5 and 300 seconds")
        if obj.max_restarts < 0:
            fail("max_restarts", "must be 0 or more")
        if not 1.0 <= obj.restart_window_s <= 86_400.0:
            fail("restart_window_s", "must be between 1 and 86400 seconds")
        if not 0.0 <= obj.restart_backoff_s <= 60.0:
            fail("restart_backoff_s", "must be between 0 and 60 seconds")
        if not 0.0 <= obj.partition_idle_s <= 3600.0:
            fail("partition_idle_s", "must be between 0 and 3600 seconds")
        if not 1 <= obj.batch_max <= 100_000:
            fail("batch_max", "must be between 1 and 100000 events")
        if not 0.0 < obj.batch_window_s <= 10.0:
            fail("batch_window_s", "must be more than 0 and at most 10 seconds")
        if not 0.0 <= obj.producer_linger_ms <= 1000.0:
            fail("producer_linger_ms", "must be between 0 and 1000 milliseconds")
        if not 0 <= obj.fetch_max_wait_ms <= 30_000:
            fail("fetch_max_wait_ms", "must be between 0 and 30000 milliseconds")
        if obj.processing_guarantee not in ("at_least_once", "exactly_once"):
            fail("processing_guarantee", "must be at_least_once or exactly_once")
        if not (obj.store.startswith("rocksdb://") or obj.store.startswith("memory://")):
            fail("store", "must be rocksdb:// or memory://")
        if obj.event_loop not in ("asyncio", "uvloop"):
            fail("event_loop", "must be asyncio or uvloop")
    elif isinstance(obj, KafkaSettings):
        if ":" not in obj.bootstrap:
            fail("bootstrap", f"expected host:port, got {obj.bootstrap!r}")
        if obj.security_protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
            fail("security_protocol", "must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
        if obj.security_protocol.startswith("SASL_"):
            if obj.sasl_mechanism not in SASL_MECHANISMS:
                fail("sasl_mechanism", f"must be {', '.join(SASL_MECHANISMS[:-1])} or {SASL_MECHANISMS[-1]} "
                                       f"when security_protocol is {obj.security_protocol}")
            if not obj.sasl_username:
                fail("sasl_username", f"must be set when security_protocol is {obj.security_protocol}")
        if obj.ssl_cafile and not os.access(obj.ssl_cafile, os.R_OK):
            fail("ssl_cafile", f"{obj.ssl_cafile} is not a readable file")
    elif isinstance(obj, TaggingSettings):
        if obj.max_body_chars < 1000:
            fail("max_body_chars", "must be at least 1000")
        if not 1 <= obj.earliest_year <= 9999:
            fail("earliest_year", "must be a year between 1 and 9999")
        if obj.max_future_s < 0:
            fail("max_future_s", "must be >= 0")
