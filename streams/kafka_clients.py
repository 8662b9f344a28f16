"""kafka-python clients built from settings, with one-line errors naming the address tried.

On TLS or SASL listeners kafka-python reports a refused login, an untrusted certificate or
a protocol mismatch only as a bootstrap timeout after 30 s, so the first client of a process
checks the connection itself (:func:`check_connection`) and fails in seconds with the cause.
"""

from __future__ import annotations

from pathlib import Path
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


#: Connection settings already checked by this process (each is checked once). The password
#: is part of the key (a Secret: its repr is masked) so that another one is checked again.
_CHECKED: set[tuple[str, ...]] = set()


def check_connection(settings: Settings, timeout_s: float = 5.0) -> None:
    """BrokerError with one line naming the address and the cause when no bootstrap broker can be used.

    Performs what a client does on connect (TLS handshake, SASL login, a metadata request)
    against each bootstrap address until one works. Checked once per process and settings.
    On PLAINTEXT only a listener that speaks TLS fails here: a broker that is down or
    restarting is left to the clients, which retry.
    """
    from streams.broker import ClientSecurity, diagnose_connection

    kafka = settings.kafka
    key = (kafka.bootstrap, kafka.security_protocol, kafka.sasl_mechanism, kafka.sasl_username, kafka.ssl_cafile,
           kafka.sasl_password)
    if key in _CHECKED:
        return
    if kafka.security_protocol == "PLAINTEXT":
        found = diagnose_connection(kafka.bootstrap.split(",")[0].strip(), None, min(timeout_s, 2.0))
        if found is None:
            _CHECKED.add(key)
        elif found[0] == "mismatch":
            raise BrokerError(found[1])
        return
    if kafka.ssl_cafile and not Path(kafka.ssl_cafile).is_file():
        raise BrokerError(f"kafka.ssl_cafile {kafka.ssl_cafile!r} (GEOTENSION_KAFKA_SSL_CAFILE): no such file")
    if kafka.security_protocol.startswith("SASL_") and not kafka.sasl_password.reveal():
        raise BrokerError(
            f"kafka.security_protocol is {kafka.security_protocol} but GEOTENSION_KAFKA_SASL_PASSWORD is not set"
        )
    security = ClientSecurity.from_settings(settings)
    problems = []
    for address in kafka.bootstrap.split(","):
        found = diagnose_connection(address.strip(), security, timeout_s)
        if found is None:
            _CHECKED.add(key)
            return
        problems.append(found[1])
    raise BrokerError(problems[0] if len(problems) == 1 else "; ".join(problems))


def require_reachable(settings: Settings, timeout_s: float) -> None:
    """BrokerError within about ``timeout_s`` when no bootstrap broker answers.

    kafka-python's clients wait 30 s for a first broker whatever their own timeouts say, so a
    command with a time budget (``tail --timeout``) checks first. On TLS or SASL listeners this
    is :func:`check_connection` with that budget.
    """
    from streams.broker import diagnose_connection

    kafka = settings.kafka
    if kafka.security_protocol != "PLAINTEXT":
        check_connection(settings, timeout_s)
        return
    addresses = [a.strip() for a in kafka.bootstrap.split(",") if a.strip()]
    problems = []
    for address in addresses:
        found = diagnose_connection(address, None, max(timeout_s / max(len(addresses), 1), 0.2))
        if found is None:
            return
        problems.append(found)
    kind, message = problems[0] if problems else ("down", "")
    if kind != "down":
        raise BrokerError(message)
    raise BrokerError(f"no Kafka broker answers at {kafka.bootstrap} within {timeout_s:g}s; "
                      "start one with `geotension broker start` or set GEOTENSION_BOOTSTRAP")


def _unreachable(settings: Settings, exc: Exception) -> BrokerError:
    from streams.broker import ClientSecurity, diagnose_connection

    found = diagnose_connection(settings.kafka.bootstrap, ClientSecurity.from_settings(settings))
    if found is not None and (found[0] != "down" or settings.kafka.security_protocol != "PLAINTEXT"):
        return BrokerError(found[1])
    return BrokerError(
        f"no Kafka broker answers at {settings.kafka.bootstrap} ({type(exc).__name__}); "
        "start one with `geotension broker start` or set GEOTENSION_BOOTSTRAP"
    )


def admin_client(settings: Settings) -> Any:
    """A KafkaAdminClient, or BrokerError naming the address when nothing answers."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    check_connection(settings)
    try:
        return KafkaAdminClient(**client_options(settings), client_id="geotension-admin")
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc


def producer(settings: Settings, **extra: Any) -> Any:
    """A KafkaProducer (idempotent, acks=all by kafka-python 3 defaults)."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    check_connection(settings)
    try:
        return KafkaProducer(**client_options(settings), client_id="geotension-producer", **extra)
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc


def consumer(settings: Settings, *topics: str, **extra: Any) -> Any:
    """A KafkaConsumer over ``topics``."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    check_connection(settings)
    try:
        return KafkaConsumer(*topics, **client_options(settings), **extra)
    except (KafkaError, OSError, ValueError) as exc:
        raise _unreachable(settings, exc) from exc
