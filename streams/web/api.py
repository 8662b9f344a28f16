"""The JSON API and the event stream: thin handlers over the read models and the parameter checks.

Every answer is JSON (``application/json; charset=utf-8``) except /api/stream
(``text/event-stream``). A bad parameter is ``400 {"error": "`since`: ..."}``, an unknown
dyad ``404`` in the same shape. Only GET (and HEAD) are routed: the API is read-only.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from streams.web.params import ParamError, check_dyad, parse_limit, parse_since, parse_window, reject_unknown
from streams.web.sse import CLOSE, comment

Handler = Callable[..., Awaitable[Any]]
#: Default ``limit`` of /api/events and /api/alerts.
DEFAULT_LIMIT = 50


def guarded(handler: Handler) -> Handler:
    """Turn a :class:`ParamError` into a JSON error with its status."""

    @functools.wraps(handler)
    async def wrapper(web: Any, request: Any, **kwargs: Any) -> Any:
        try:
            return await handler(web, request, **kwargs)
        except ParamError as exc:
            return web.json({"error": str(exc)}, status=exc.status)

    return wrapper


def register_api(app: Any, feed: Any) -> None:
    """Add /api/dyads, /api/indicators/{dyad}, /api/events/{dyad}, /api/alerts and /api/stream."""
    models, cfg = feed.models, feed.cfg

    @app.page("/api/dyads", name="api_dyads")
    @guarded
    async def dyads(web: Any, request: Any) -> Any:
        reject_unknown(request.query, ())
        return web.json({"caught_up": feed.caught_up, "level_thresholds": feed.thresholds,
                         "dyads": models.dyad_summaries()})

    @app.page("/api/indicators/{dyad}", name="api_indicators")
    @guarded
    async def indicators(web: Any, request: Any, dyad: str) -> Any:
        query = request.query
        reject_unknown(query, ("window", "since"))
        window = parse_window(query, models.windows)
        since = parse_since(query)
        check_dyad(dyad, models.dyads)
        return web.json({"dyad": dyad, "window": window, "snapshots": models.series(dyad, window, since)})

    @app.page("/api/events/{dyad}", name="api_events")
    @guarded
    async def events(web: Any, request: Any, dyad: str) -> Any:
        query = request.query
        reject_unknown(query, ("since", "limit"))
        since = parse_since(query)
        limit = parse_limit(query, DEFAULT_LIMIT, cfg.events_per_dyad)
        check_dyad(dyad, models.dyads)
        return web.json({"dyad": dyad, "events": models.recent_events(dyad, since, limit)})

    @app.page("/api/alerts", name="api_alerts")
    @guarded
    async def alerts(web: Any, request: Any) -> Any:
        query = request.query
        reject_unknown(query, ("since", "limit"))
        since = parse_since(query)
        limit = parse_limit(query, DEFAULT_LIMIT, cfg.alerts_kept)
        return web.json({"alerts": models.recent_alerts(since, limit)})

    @app.page("/api/stream", name="api_stream")
    @guarded
    async def stream(web: Any, request: Any) -> Any:
        from aiohttp import web as aioweb

        reject_unknown(request.query, ())
        queue = feed.hub.subscribe()
        if queue is None:
            return web.json({"error": f"too many open streams (at most {cfg.sse_max_clients})"}, status=503)
        response = aioweb.StreamResponse(headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        })
        try:
            await response.prepare(request)
            # Reconnect after 3 s if the connection drops; the hello line flushes the headers.
            await response.write(b"retry: 3000\n" + comment("geotension stream"))
            heartbeat = cfg.sse_heartbeat.total_seconds()
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=heartbeat)
                except TimeoutError:
                    await response.write(comment("heartbeat"))
                    continue
                if message is CLOSE:
                    break
                await response.write(message)
                if queue not in feed.hub.clients and queue.empty():
                    break  # dropped for being too slow; it was told with an overflow event
        except ConnectionResetError:
            pass  # the client went away
        finally:
            feed.hub.unsubscribe(queue)
        return response
