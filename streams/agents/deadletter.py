"""Dead-lettering: whatever an agent cannot process goes to tension.deadletter with its reason."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from streams.app import Pipeline
from streams.errors import TensionError

log = logging.getLogger("geotension.deadletter")


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
        "key": bytes(message.key) if isinstance(message.key, (bytes, bytearray)) else None,
        "value": bytes(message.value) if isinstance(message.value, (bytes, bytearray)) else None,
        "failed_at": datetime.now(tz=UTC),
    }
    pipeline.counters.dead_letters[f"{agent}:{type(exc).__name__}"] += 1
    await pipeline.topics["deadletter"].send(
        key=message.key if isinstance(message.key, bytes) else None,
        value=pipeline.registry.encode("DeadLetter", record),
    )
