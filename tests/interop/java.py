"""Run tools/avro/AvroInterop.java (Apache Avro Java) from the tests.

The jars of ``tools/avro/pom.xml`` are fetched once with Maven into ``.avro-java/`` (git-ignored,
like the broker's ``.kafka/``); the program runs from source, so nothing is compiled by Maven.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
POM = REPO / "tools" / "avro" / "pom.xml"
PROGRAM = REPO / "tools" / "avro" / "AvroInterop.java"
LIBS = REPO / ".avro-java" / "libs"
_MARKER = ".complete"


def require_java() -> tuple[str, str]:
    """``(java, mvn)`` paths, or skip naming what is missing (CI has both: there this runs)."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    missing = [name for name, path in (("java", java), ("mvn", mvn)) if path is None]
    if missing:
        pytest.skip(f"Apache Avro Java interoperability needs {' and '.join(missing)} on PATH (Java 17+ JDK, Maven)")
    assert java is not None and mvn is not None
    return java, mvn


def libs() -> Path:
    """The folder of the pom's jars, fetched with ``mvn dependency:copy-dependencies`` if missing."""
    _, mvn = require_java()
    if (LIBS / _MARKER).is_file():
        return LIBS
    LIBS.parent.mkdir(parents=True, exist_ok=True)
    with (LIBS.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (LIBS / _MARKER).is_file():
            return LIBS
        partial = LIBS.with_name("libs.partial")
        shutil.rmtree(partial, ignore_errors=True)
        done = subprocess.run(
            [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", "-DincludeScope=runtime",
             f"-DoutputDirectory={partial}"],
            capture_output=True, text=True, timeout=900, check=False,
        )
        assert done.returncode == 0, f"mvn could not fetch the jars of {POM}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        shutil.rmtree(LIBS, ignore_errors=True)
        partial.rename(LIBS)
        (LIBS / _MARKER).write_text("ok\n")
    return LIBS


def run_java(source: Path, args: list[str], stdin: str = "", timeout: float = 300) -> str:
    """Run one Java source file with the jars on the class path; its stdout (fails on status != 0)."""
    java, _ = require_java()
    done = subprocess.run(
        [java, "-cp", f"{libs()}/*", str(source), *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False, cwd=REPO,
    )
    assert done.returncode == 0, f"{source.name} {' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


def interop(command: str, lines: list[str]) -> list[dict[str, Any] | str]:
    """``AvroInterop.java COMMAND schemas`` with ``lines`` on stdin; its output lines (JSON parsed)."""
    out = run_java(PROGRAM, [command, str(REPO / "schemas")], "".join(line + "\n" for line in lines))
    return [json.loads(line) if line.startswith("{") else line for line in out.splitlines()]
