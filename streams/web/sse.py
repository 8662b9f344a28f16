"""Server-Sent Events for ``/api/stream``: message framing and a hub of bounded client queues.

No Kafka or faust: the hub is a read-model listener; the HTTP handler drains one queue per
client. A client too slow to keep up (its queue is full) is disconnected with a final
``overflow`` event rather than letting memory grow or silently skipping messages; its
EventSource reconnects and re-reads the current state through the JSON API.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from streams.web.views import alert_json, snapshot_brief

#: Sent instead of a message to tell a client's loop to stop.
CLOSE = object()


def format_sse(event: str, data: Any, event_id: int | None = None) -> bytes:
    """One SSE message: ``id``, ``event`` and a single-line JSON ``data`` field, blank-line terminated."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    # json.dumps never emits a raw newline, so one data line carries the whole payload.
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def comment(text: str) -> bytes:
    """An SSE comment line (ignored by EventSource): heartbeats and the hello line."""
    return f": {text}\n\n".encode()


class SseHub:
    """Fans read-model changes out to connected clients, each with its own bounded queue."""

    def __init__(self, max_clients: int, queue_size: int) -> None:
        self.max_clients = max_clients
        self.queue_size = queue_size
        self.clients: set[asyncio.Queue[Any]] = set()
        self.next_id = 1
        self.sent = 0
        self.dropped_clients = 0

    def subscribe(self) -> asyncio.Queue[Any] | None:
        """A new client's queue, or None when ``max_clients`` are connected."""
        if len(self.clients) >= self.max_clients:
            return None
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.queue_size)
        self.clients.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Any]) -> None:
        self.clients.discard(queue)

    def __call__(self, kind: str, record: Mapping[str, Any]) -> None:
        """Read-model listener: frame the change once, queue it for every client."""
        payload = snapshot_brief(record) if kind == "snapshot" else alert_json(record)
        message = format_sse(kind, payload, self.next_id)
        self.next_id += 1
        for queue in list(self.clients):
            if queue.full():
                # Too slow: drop the client (it is told so and reconnects) instead of a message.
                self.clients.discard(queue)
                self.dropped_clients += 1
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(format_sse("overflow", {"error": "client too slow; reconnect"}))
                continue
            queue.put_nowait(message)
            self.sent += 1

    def close(self) -> None:
        """Ask every client loop to finish (worker shutdown)."""
        for queue in list(self.clients):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(CLOSE)
        self.clients.clear()
