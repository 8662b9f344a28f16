"""The routes the worker registers match the OpenAPI description; the page ships safe assets."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from streams import web
from streams.app import build_topology, create_app
from streams.settings import load_settings

STATIC = Path(web.__file__).resolve().parent / "static"


def registered_paths(tmp_path: Path) -> set[str]:
    base = load_settings()
    settings = dataclasses.replace(base, app=dataclasses.replace(base.app, id="routes-test", store="memory://",
                                                                 data_dir=str(tmp_path)))
    app = create_app(settings)
    build_topology(app, settings)
    return {resource.canonical for resource in app.web.web_app.router.resources()}


def test_every_api_route_is_described_and_every_description_is_routed(tmp_path: Path) -> None:
    routed = registered_paths(tmp_path)
    ours = {p for p in routed if p.startswith(("/api", "/healthz", "/metrics", "/dashboard"))}
    described = set(json.loads((STATIC / "openapi.json").read_text())["paths"])
    assert ours - {"/dashboard/static/{name}"} == described


def test_page_assets_are_local_and_never_render_data_as_html() -> None:
    html = (STATIC / "dashboard.html").read_text()
    script = (STATIC / "dashboard.js").read_text()
    # No CDN: every src/href in the page is a path on the worker.
    assert [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if not u.startswith("/")] == []
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script
    assert "<script>" not in html.replace('<script src="/dashboard/static/dashboard.js" defer></script>', "")
