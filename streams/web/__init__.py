"""HTTP routes served by the worker (faust web): health and counters."""

from __future__ import annotations

from typing import Any

from streams import __version__


def register_routes(pipeline: Any) -> None:
    app = pipeline.app

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok", "version": __version__, "app": pipeline.settings.app.id})

    @app.page("/api/counters")
    async def counters(web: Any, request: Any) -> Any:
        return web.json(pipeline.counters.as_dict())
