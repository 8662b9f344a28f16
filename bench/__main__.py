"""Run every benchmark module (or those named on the command line) and print JSON lines.

    python -m bench                 # all (memory alone takes 10+ minutes on 2 cores)
    python -m bench engine tagger   # some
    python -m bench peers --scale 0.1 --rounds 1   # a quick peer comparison (smaller corpora)
    GEOTENSION_BENCH_EVENTS=100000 python -m bench memory   # a shorter memory run
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

MODULES = ["codec", "engine", "replay", "tagger", "feeds", "ceiling", "peers", "e2e", "scale", "memory"]
#: Options passed to the benchmarks through the environment (read by ``bench_peers``).
OPTIONS = {"--scale": "GEOTENSION_BENCH_SCALE", "--rounds": "GEOTENSION_BENCH_ROUNDS"}


def main(argv: list[str]) -> int:
    argv = list(argv)
    for flag, variable in OPTIONS.items():
        if flag in argv:
            at = argv.index(flag)
            if at + 1 >= len(argv):
                print(f"{flag} needs a value", file=sys.stderr)
                return 2
            __import__("os").environ[variable] = argv[at + 1]
            del argv[at:at + 2]
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
