"""kafka-python clients built from settings, with one-line errors naming the address tried."""

from __future__ import annotations

from typing import Any

from streams.errors import BrokerError
from streams.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection options shared by kafka-python producers, consumers and admin clients."""
    kafka = settings.kafka
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap.split(","),
        "security_protocol": kafka.security_protocol,
        "request_timeout_ms": int(kafka.request_timeout_s * 1000) + 5000,
    }
    if kafka.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = kafka.sasl_mechanism
        options["sasl_plain_username"] = kafka.sasl_username
        options["sasl_plain_password"] = kafka.sasl_password.reveal()
    if kafka.security_protocol in ("SSL", "SASL_SSL") and kafka.ssl_cafile:
        options["ssl_cafile"] = kafka.ssl_cafile
    return options


def _unreachable(settings: Settings, exc: Exception) -> BrokerError:
    return BrokerError(
        f"no Kafka broker answers at {settings.kafka.bootstrap} ({type(exc).__name__}); "
        "start one with `geotension broker start` or set GEOTENSION_BOOTSTRAP"
    )


def admin_client(settings: Settings) -> Any:
    """A KafkaAdminClient, or BrokerError naming the address when nothing answers."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        return KafkaAdminClient(**client_options(settings), client_id="geotension-admin")
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc


def producer(settings: Settings, **extra: Any) -> Any:
    """A KafkaProducer (idempotent, acks=all by kafka-python 3 defaults)."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    try:
        return KafkaProducer(**client_options(settings), client_id="geotension-producer", **extra)
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc


def consumer(settings: Settings, *topics: str, **extra: Any) -> Any:
    """A KafkaConsumer over ``topics``."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    try:
        return KafkaConsumer(*topics, **client_options(settings), **extra)
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc
