"""The built package works on its own: sdist -> wheel -> a fresh virtual environment, outside the repo.

``python -m build`` makes the source distribution and the wheel from it (so MANIFEST.in and the
bundling step of setup.py are both exercised); the wheel goes into a new venv in a temporary
folder, and the commands run there with no config/ or schemas/ around. Select it with
``pytest -m wheel``; it runs in ``make test`` too. The dependencies come from the package
index (or pip's cache).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = json.loads((REPO / "tests" / "data" / "avro" / "fingerprints.json").read_text(encoding="utf-8"))["schemas"]
ARTICLES = [
    {"id": "w1", "title": "Albania expels Iranian ambassador", "language": "en", "published_at": "2022-09-07T09:00:00Z",
     "body": "Albania expelled the Iranian ambassador on Wednesday over a cyberattack on its government servers."},
    {"id": "w2", "title": "Weather", "body": "Rain is expected in the north.", "published_at": "2022-09-08T09:00:00Z"},
]

pytestmark = [pytest.mark.wheel, pytest.mark.slow]


def _run(command: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOTENSION_", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with the freshly built wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(REPO)], cwd=work)
    wheels = sorted((work / "dist").glob("geotension-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    for expected in ("streams/_bundled/config/pipeline.yaml", "streams/_bundled/schemas/TaggedEvent.avsc",
                     "streams/_bundled/tools/kafka/pom.xml", "streams/_bundled/samples/articles.jsonl",
                     "streams/py.typed", "streams/web/static/dashboard.html"):
        assert expected in names, expected
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    _run([str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])], cwd=work)
    return work / "venv" / "bin"


def test_bundled_files_are_the_top_level_ones(installed: Path) -> None:
    site = _run([str(installed / "python"), "-c", "import streams, pathlib; print(pathlib.Path(streams.__file__).parent)"],
                cwd=installed).stdout.strip()
    bundled = Path(site) / "_bundled"
    for folder in ("config", "schemas", "samples", "tools/kafka"):
        for path in sorted((bundled / folder).iterdir()):
            assert path.read_bytes() == (REPO / folder / path.name).read_bytes(), path


def test_schemas_lists_every_schema_from_the_package(installed: Path, tmp_path: Path) -> None:
    out = _run([str(installed / "geotension"), "schemas", "--json"], cwd=tmp_path).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert {row["name"]: row["fingerprint"] for row in rows} == {f"geotension.{n}": v["fingerprint"] for n, v in VECTORS.items()}
    assert {row["name"]: row["legacy_fingerprint"] for row in rows} == {
        f"geotension.{n}": v["legacy_fingerprint"] for n, v in VECTORS.items()}
    for row in rows:
        assert "/site-packages/streams/_bundled/schemas/" in row["file"], row["file"]
    table = _run([str(installed / "geotension"), "schemas"], cwd=tmp_path).stdout.splitlines()
    assert table[0].split() == ["schema", "fingerprint", "0.1.x", "(read)", "file"]
    assert len(table) == 1 + len(VECTORS)


def test_tag_outside_the_repo_gives_what_the_checkout_gives(installed: Path, tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    done = _run([str(installed / "geotension"), "tag", "--input", str(articles), "--output", "events.jsonl"], cwd=tmp_path)
    assert "tagged 2 articles, 1 events, 0 bad lines" in done.stderr
    installed_events = (tmp_path / "events.jsonl").read_text(encoding="utf-8")
    here = REPO / ".venv" / "bin" / "geotension"
    checkout = Path(sys.executable).parent / "geotension"
    command = str(checkout if checkout.is_file() else here)
    _run([command, "tag", "--input", str(articles), "--output", str(tmp_path / "checkout.jsonl")], cwd=REPO)
    assert installed_events == (tmp_path / "checkout.jsonl").read_text(encoding="utf-8")
    event = json.loads(installed_events)
    assert (event["dyad"], event["source"]["code"], event["target"]["code"], event["cameo_code"]) == ("ALB-IRN", "ALB", "IRN", "161")
