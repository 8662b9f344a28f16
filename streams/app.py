"""The faust application, built by a function so tests and the demo can make their own.

    app = create_app(settings)      # agents registered, nothing started
    run_worker(app, settings)       # blocks: consumes, processes, serves HTTP

The topology (which agent reads and writes which topic) lives in :func:`build_topology`; the
agents themselves are thin loops in ``streams/agents/`` around the pure tagging and
indicator functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import faust

from streams.codec import SchemaRegistry, default_registry
from streams.errors import ConfigError
from streams.metrics import PipelineCounters
from streams.settings import TOPIC_KEYS, Settings

log = logging.getLogger("geotension")


@dataclass
class Pipeline:
    """Everything the agents share: settings, topics, codec, counters."""

    app: faust.App
    settings: Settings
    registry: SchemaRegistry
    topics: dict[str, faust.TopicT] = field(default_factory=dict)
    counters: PipelineCounters = field(default_factory=PipelineCounters)
    agents: dict[str, Any] = field(default_factory=dict)
    #: What became of every news.raw record, across restarts (set by the tag agent).
    ledger: Any = None


def broker_url(settings: Settings) -> str:
    return ",".join(f"kafka://{host}" for host in settings.kafka.bootstrap.split(","))


def bound_fetch_wait(wait_ms: int) -> None:
    """Make faust's worker consumer ask the broker to hold a fetch at most ``wait_ms``.

    faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500`` and no setting to change
    it. aiokafka keeps one fetch in flight per broker and leaves out partitions whose records
    are still buffered, so once every busy partition has a buffer, the next fetch names only
    quiet ones (gdelt.raw, the assignor topic, a sparse tension.events) and the broker holds
    it for up to 1.5 s; a drained busy partition cannot be fetched until it returns. On one
    broker that paced a no-op agent to about one fetch size per second.
    """
    from faust.transport.drivers import aiokafka as driver

    thread = driver.AIOKafkaConsumerThread
    original = getattr(thread, "_geotension_original_create", None) or thread._create_worker_consumer

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = wait_ms  # read by AIOKafkaConsumer.start() when it builds its fetcher
        return consumer

    thread._geotension_original_create = original  # type: ignore[attr-defined]
    thread._create_worker_consumer = create  # type: ignore[method-assign]


def create_app(settings: Settings) -> faust.App:
    """A configured faust.App (no agents yet)."""
    bound_fetch_wait(settings.app.fetch_max_wait_ms)
    kafka = settings.kafka
    credentials: Any = None
    if kafka.security_protocol.startswith("SASL"):
        ssl_context = None
        if kafka.security_protocol == "SASL_SSL":
            import ssl

            ssl_context = ssl.create_default_context(cafile=kafka.ssl_cafile or None)
        credentials = faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.reveal(),
            ssl_context=ssl_context,
            mechanism=kafka.sasl_mechanism,
        )
    elif kafka.security_protocol == "SSL":
        import ssl

        credentials = faust.SSLCredentials(ssl.create_default_context(cafile=kafka.ssl_cafile or None))
    if settings.app.event_loop == "uvloop":
        # What `faust -L uvloop` does; it must happen before the worker creates its loop.
        # Opt-in: bench/bench_ceiling.py saw no gain beyond run-to-run noise for a
        # pass-through agent (faust's per-record Python work dominates, not the loop), and
        # faust's buffer, poll and fetch settings did not help either; see README Performance.
        import mode.loop

        try:
            mode.loop.use("uvloop")
        except ImportError:
            raise ConfigError("app.event_loop is uvloop but uvloop is not installed: pip install -e '.[fast]'") from None
    datadir = settings.path(settings.app.data_dir) / settings.app.id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.app.id,
        broker=broker_url(settings),
        broker_credentials=credentials,
        store=settings.app.store,
        datadir=str(datadir),
        processing_guarantee=settings.app.processing_guarantee,
        broker_commit_every=1000,
        producer_linger=settings.app.producer_linger_ms / 1000.0,
        broker_commit_interval=settings.app.commit_interval_s,
        broker_session_timeout=settings.app.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.app.session_timeout_s / 3),
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=1,
        topic_partitions=settings.topic_spec("events").partitions,
        # Standby replicas need a second worker; the changelog alone restores state.
        table_standby_replicas=0,
        web_enabled=settings.web.enabled,
        web_bind=settings.web.host,
        web_host=settings.web.host,
        web_port=settings.web.port,
        autodiscover=False,
        # Our own JSON/Avro codecs decide; faust must not guess from message headers.
        value_serializer="raw",
        key_serializer="raw",
    )


#: Agent modules, each with ``register(pipeline)``; one line per agent keeps the topology readable.
AGENT_MODULES = ("streams.agents.tag", "streams.agents.indicators", "streams.agents.views", "streams.agents.gdelt")


def build_topology(app: faust.App, settings: Settings, registry: SchemaRegistry | None = None) -> Pipeline:
    """Declare topics and register every agent and HTTP route on ``app``."""
    import importlib

    pipeline = Pipeline(app=app, settings=settings, registry=registry or default_registry())
    for key in TOPIC_KEYS:
        pipeline.topics[key] = app.topic(
            settings.topic(key),
            partitions=settings.topic_spec(key).partitions,
            key_serializer="raw",
            value_serializer="raw",
        )
    for module_name in AGENT_MODULES:
        module = importlib.import_module(module_name)
        pipeline.agents[module_name.rsplit(".", 1)[-1]] = module.register(pipeline)
    from streams.web import register_routes

    register_routes(pipeline)
    return pipeline
