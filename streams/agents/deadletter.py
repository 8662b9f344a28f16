"""Dead-lettering: whatever an agent cannot process goes to tension.deadletter with its reason."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from streams.app import Pipeline
from streams.errors import TensionError

log = logging.getLogger("geotension.deadletter")

#: The most of an original key or value a dead letter keeps. Kafka refuses records above the
#: topic's max.message.bytes (1 MB by default): a 10 MB garbage record copied whole would make
#: the dead-letter send itself fail and stop the agent. The prefix is enough to diagnose it.
MAX_KEPT_BYTES = 256 * 1024


def reason_of(exc: BaseException) -> str:
    """One line for a dead letter: our errors say it themselves, others get their type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, TensionError):
        return text[:500]
    return f"internal error {type(exc).__name__}: {text}"[:500]


async def dead_letter(pipeline: Pipeline, agent: str, event: Any, exc: BaseException) -> None:
    """Publish the original record with the reason and its topic/partition/offset."""
    message = event.message
    reason = reason_of(exc)
    key = bytes(message.key) if isinstance(message.key, (bytes, bytearray)) else None
    value = bytes(message.value) if isinstance(message.value, (bytes, bytearray)) else None
    for what, data in (("key", key), ("value", value)):
        if data is not None and len(data) > MAX_KEPT_BYTES:
            reason = f"{reason} [{what} cut to its first {MAX_KEPT_BYTES} of {len(data)} bytes]"
    key = key[:MAX_KEPT_BYTES] if key is not None else None
    value = value[:MAX_KEPT_BYTES] if value is not None else None
    log.warning("%s: %s[%s] offset=%s dead-lettered: %s", agent, message.topic, message.partition,
                message.offset, reason)
    if not isinstance(exc, TensionError):
        log.error("%s: unexpected error", agent, exc_info=exc)
    record = {
        "reason": reason,
        "error_type": type(exc).__name__,
        "agent": agent,
        "topic": message.topic,
        "partition": int(message.partition),
        "offset": int(message.offset),
        "key": key,
        "value": value,
        "failed_at": datetime.now(tz=UTC),
    }
    pipeline.counters.dead_letters[f"{agent}:{type(exc).__name__}"] += 1
    await pipeline.topics["deadletter"].send(
        key=key,
        value=pipeline.registry.encode("DeadLetter", record),
    )
