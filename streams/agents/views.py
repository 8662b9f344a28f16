"""Views agent: keeps the web read models current from tension.indicators, .alerts and .events.

Why a plain consumer and not a faust agent: the pipeline's consumer group gives each worker
only some partitions (a dyad's state lives where its partition is), but every worker's API
and dashboard must show every dyad. So each worker runs one extra aiokafka consumer without
a group (no offsets committed, no rebalances) that is assigned every partition of the three
output topics and reads them from the beginning; the read models keep the newest revision
per (dyad, as_of) and bounded history (``config/dashboard.yaml``). A restart rebuilds them
from the topics. A GlobalTable would also see every partition but needs its own changelog
topic and restores through faust's recovery, which holds the whole worker back until done.

Undecodable values on these topics were written by someone else than this pipeline (its
agents only write what the schemas encode); they are logged and counted under
``skipped{agent="views"}`` and not dead-lettered, because every worker re-reads the topics on
every start and would otherwise file the same dead letter again and again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from streams.app import Pipeline
from streams.durations import format_duration
from streams.errors import TensionError
from streams.web.config import DashboardSettings, load_dashboard_settings
from streams.web.sse import SseHub
from streams.web.views import ReadModels, watched_dyads

log = logging.getLogger("geotension.views")
#: Seconds before the read-model consumer is restarted after a failure.
RETRY_S = 5.0

#: Output topic key → (schema expected, read-model method).
FEEDS = {"indicators": ("EscalationIndicator", "add_snapshot"), "alerts": ("EscalationAlert", "add_alert"),
         "events": ("TaggedEvent", "add_event")}


class ViewsFeed:
    """The read models, their SSE hub, and the loop that feeds them."""

    def __init__(self, pipeline: Pipeline, cfg: DashboardSettings) -> None:
        settings = pipeline.settings
        self.pipeline = pipeline
        self.cfg = cfg
        self.models = ReadModels(
            watched_dyads(settings.actors.get("watched") or []), cfg,
            windows=[format_duration(w) for w in settings.indicators.windows],
        )
        #: Index at which each level above CALM starts (the page draws its bands from them).
        self.thresholds = dict(settings.indicators.levels.enter)
        self.hub = SseHub(cfg.sse_max_clients, cfg.sse_queue)
        self.models.listeners.append(self.hub)
        self.topics = {settings.topic(key): key for key in FEEDS}
        #: True once the feed has read up to the end offsets it found when it started.
        self.caught_up = False

    def apply(self, topic_key: str, value: bytes | None) -> None:
        """Decode one output record and hand it to its read model."""
        schema, method = FEEDS[topic_key]
        if value is None:
            return
        try:
            _, record = self.pipeline.registry.decode(value, expect=schema)
        except TensionError as exc:
            self.pipeline.counters.skipped[f"views:undecodable-{topic_key}"] += 1
            log.warning("views: undecodable record on %s skipped: %s", topic_key, exc)
            return
        getattr(self.models, method)(record)

    async def run(self) -> None:
        """Assign every partition of the output topics, read from the beginning, forever."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
            client_id=f"{self.pipeline.settings.app.id}-views", **aiokafka_options(self.pipeline),
        )
        await consumer.start()
        try:
            partitions: list[Any] = []
            while True:
                partitions = [TopicPartition(t, p) for t in self.topics for p in (consumer.partitions_for_topic(t) or ())]
                if {tp.topic for tp in partitions} == set(self.topics):
                    break
                await consumer._client.force_metadata_update()  # topics not created yet: ask again
                await asyncio.sleep(1.0)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            pending = {tp for tp, end in ends.items() if end > 0}
            self.caught_up = not pending
            while True:
                batch = await consumer.getmany(timeout_ms=1000, max_records=2000)
                for tp, messages in batch.items():
                    key = self.topics[tp.topic]
                    for message in messages:
                        self.apply(key, message.value)
                for tp in list(pending):
                    # Position, not the last offset seen: transaction markers take offsets too.
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
                if not pending and not self.caught_up:
                    self.caught_up = True
                    log.info("views: read models caught up with %s", ", ".join(sorted(self.topics)))
        finally:
            await consumer.stop()


def aiokafka_options(pipeline: Pipeline) -> dict[str, Any]:
    """Connection options for aiokafka from the same settings the kafka-python clients use."""
    kafka = pipeline.settings.kafka
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap.split(","),
        "security_protocol": kafka.security_protocol,
        "request_timeout_ms": int(kafka.request_timeout_s * 1000) + 5000,
    }
    if kafka.security_protocol.startswith("SASL"):
        options.update(sasl_mechanism=kafka.sasl_mechanism, sasl_plain_username=kafka.sasl_username,
                       sasl_plain_password=kafka.sasl_password.reveal())
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        import ssl

        options["ssl_context"] = ssl.create_default_context(cafile=kafka.ssl_cafile or None)
    return options


def register(pipeline: Pipeline) -> ViewsFeed:
    """Build the read models; the feeding task runs only when the web server is on."""
    feed = ViewsFeed(pipeline, load_dashboard_settings(pipeline.settings.config_dir))
    if pipeline.settings.web.enabled:

        @pipeline.app.task
        async def views() -> None:
            while True:
                try:
                    await feed.run()
                except asyncio.CancelledError:
                    feed.hub.close()  # the worker stops: end the open /api/stream responses
                    raise
                except Exception:  # noqa: BLE001 - a broker hiccup must not stop the worker or the API
                    # Re-reading from the beginning is harmless: the models ignore what they hold.
                    log.exception("views: the read-model consumer failed; restarting it in %ss", RETRY_S)
                    feed.caught_up = False
                    await asyncio.sleep(RETRY_S)

    return feed
