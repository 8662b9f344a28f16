"""Build step: the installed package carries the project's own files as package data.

``config/``, ``schemas/``, ``samples/`` and ``tools/kafka/`` at the top level are the source of
truth; building a wheel (``pip install .``, ``python -m build``) copies them into
``streams/_bundled/`` of the build, never into the source tree, so no second copy is checked
in to drift. ``streams.settings.resource_dir`` finds them there once installed. An editable
install reads the top-level folders themselves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Folder -> the files of it that an installed package needs.
BUNDLED = {
    "config": ("*.yaml", "*.csv"),
    "schemas": ("*.avsc",),
    "samples": ("articles.jsonl", "timeline.yaml"),
    "tools/kafka": ("pom.xml", "log4j2.properties"),
}


class BuildPyWithBundledFiles(build_py):
    """``build_py`` that also copies the top-level folders into ``streams/_bundled``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "streams" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        for folder, patterns in BUNDLED.items():
            files = sorted({path for pattern in patterns for path in (ROOT / folder).glob(pattern)})
            if not files:
                raise SystemExit(f"setup.py: no {patterns} in {folder}/ (run the build from the project's folder)")
            for path in files:
                destination = target / folder / path.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildPyWithBundledFiles})
