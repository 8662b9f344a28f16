"""HTTP served by the worker (faust web, aiohttp): JSON API, event stream, metrics, dashboard.

    GET /healthz                      liveness, version, whether the read models caught up
    GET /api/dyads                    level, index and trend per dyad
    GET /api/indicators/{dyad}        snapshot series (newest revision per as_of); ?window= &since=
    GET /api/events/{dyad}            recent coded events with evidence and link; ?since= &limit=
    GET /api/alerts                   recent level changes; ?since= &limit=
    GET /api/stream                   Server-Sent Events: `snapshot` and `alert`
    GET /api/openapi.json             OpenAPI 3.1 description of the above
    GET /api/counters                 the agents' counters as JSON
    GET /metrics                      Prometheus text format
    GET /dashboard                    the live page (assets under /dashboard/static/)

The read models come from :mod:`streams.agents.views` (registered before the routes).
Static assets are read once from the package and served from memory by a fixed name: no
request value is ever used to build a file path.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from streams import __version__

#: Defence in depth for the page: only its own script and style run, nothing inline.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Assets by URL name → (package file, content type).
ASSETS = {
    "dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
}


def static_text(name: str) -> str:
    """One file shipped in ``streams/web/static``."""
    return resources.files("streams.web").joinpath("static", name).read_text(encoding="utf-8")


def register_routes(pipeline: Any) -> None:
    """Add every route to the pipeline's faust app."""
    from streams.web.api import register_api
    from streams.web.metrics import render_metrics

    app = pipeline.app
    feed = pipeline.agents["views"]
    page = static_text("dashboard.html").encode("utf-8")
    assets = {name: (static_text(file).encode("utf-8"), ctype) for name, (file, ctype) in ASSETS.items()}
    openapi = static_text("openapi.json").replace("{{version}}", __version__).encode("utf-8")

    @app.page("/healthz", name="healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok", "version": __version__, "app": pipeline.settings.app.id,
                         "views_caught_up": feed.caught_up})

    @app.page("/api/counters", name="api_counters")
    async def counters(web: Any, request: Any) -> Any:
        body: dict[str, Any] = dict(pipeline.counters.as_dict())
        if pipeline.ledger is not None:
            # Persisted with the state: these hold across restarts, the others since start.
            body["ledger"] = pipeline.ledger.figures()
        return web.json(body)

    @app.page("/api/openapi.json", name="api_openapi")
    async def openapi_json(web: Any, request: Any) -> Any:
        return web.bytes(openapi, content_type="application/json")

    @app.page("/metrics", name="metrics")
    async def metrics(web: Any, request: Any) -> Any:
        inputs = {pipeline.settings.topic(key) for key in pipeline.topics}
        body, content_type = render_metrics(pipeline.counters, feed.models.dyad_summaries(),
                                            await consumer_lag(app, inputs), feed.models.seen,
                                            accept=request.headers.get("Accept", ""))
        return web.bytes(body, headers={"Content-Type": content_type})

    @app.page("/dashboard", name="dashboard")
    async def dashboard(web: Any, request: Any) -> Any:
        return web.bytes(page, headers={**SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"})

    @app.page("/dashboard/static/{name}", name="dashboard_static")
    async def dashboard_static(web: Any, request: Any, name: str) -> Any:
        if name not in assets:
            return web.json({"error": f"`name`: no such asset {name[:60]!r}"}, status=404)
        body, ctype = assets[name]
        return web.bytes(body, headers={**SECURITY_HEADERS, "Content-Type": ctype, "Cache-Control": "no-cache"})

    register_api(app, feed)


async def consumer_lag(app: Any, topics: set[str]) -> dict[tuple[str, int], int] | None:
    """Records not yet read on each partition of ``topics`` this worker owns (high water − position).

    faust's own changelog and assignor topics are left out: their offsets mean table
    recovery, not work waiting.
    """
    try:
        consumer = app.consumer
        assigned = consumer.assignment()
    except Exception:  # noqa: BLE001 - before the first assignment there is no consumer to ask
        return None
    lag: dict[tuple[str, int], int] = {}
    for tp in sorted(assigned):
        if tp.topic not in topics:
            continue
        try:
            high = consumer.highwater(tp)
            position = await consumer.position(tp)
        except Exception:  # noqa: BLE001 - a partition being revoked right now: leave it out
            continue
        if high is not None and position is not None:
            lag[(tp.topic, tp.partition)] = max(int(high) - int(position), 0)
    return lag
