"""Run every benchmark module (or those named on the command line) and print JSON lines.

    python -m bench                 # all (memory alone takes 10+ minutes on 2 cores)
    python -m bench engine tagger   # some
    GEOTENSION_BENCH_EVENTS=100000 python -m bench memory   # a shorter memory run
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

MODULES = ["codec", "engine", "replay", "tagger", "feeds", "ceiling", "e2e", "scale", "memory"]


def main(argv: list[str]) -> int:
    wanted = argv or MODULES
    unknown = [name for name in wanted if name not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(MODULES)})", file=sys.stderr)
        return 2
    print(json.dumps({"name": "machine", "python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                      "platform": platform.platform(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}),
          flush=True)
    failed = False
    for name in wanted:
        module = importlib.import_module(f"bench.bench_{name}")
        try:
            for result in module.run(Path(__file__).resolve().parent):
                print(json.dumps({"bench": name, **result}), flush=True)
        except Exception as exc:  # noqa: BLE001 - report and go on with the other benchmarks
            failed = True
            print(json.dumps({"bench": name, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
