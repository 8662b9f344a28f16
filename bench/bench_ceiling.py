"""The framework's ceiling: how fast can a faust agent that does nothing consume, here?

200,000 small records (100 bytes) are produced once to a fresh 3-partition topic; each
variant then consumes all of them in a child process of its own, from the beginning, with a
fresh consumer group:

* ``faust-default``     — a faust app configured like ``create_app`` before tuning, an agent
  iterating ``stream.events()`` and doing nothing;
* ``faust-no-spinner``  — the default with faust's start-up spinner off, as ``geotension
  worker`` runs it: the spinner sets the root logger to DEBUG, so every debug call in faust
  and aiokafka builds a log record;
* ``faust-tuned``       — the same agent with faust's buffer, poll and fetch settings raised
  (:data:`TUNED`);
* ``faust-uvloop``      — the default settings on uvloop (``app.event_loop: uvloop``);
* ``faust-uvloop-take`` — uvloop, and the agent takes events in batches (``stream.take``);
* ``aiokafka``          — a bare ``AIOKafkaConsumer.getmany`` loop: the client's own ceiling.

Each figure is records/s from the first record to the last in the child, and the child's
CPU use over that time (user + system, percent of one core). A variant whose optional extra
is not installed (uvloop: the ``fast`` extra) is reported as skipped, with the reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

COUNT = 200_000
PARTITIONS = 3
VARIANTS = ("faust-default", "faust-no-spinner", "faust-tuned", "faust-uvloop", "faust-uvloop-take", "aiokafka")
#: The faust settings tried against the default (stream_wait_empty, larger poll batches and
#: stream buffer, bigger fetches): kept as a variant to show they do not move the ceiling.
TUNED = {"stream_wait_empty": False, "broker_max_poll_records": 5000, "stream_buffer_maxsize": 32768,
         "consumer_max_fetch_size": 4 * 1024 * 1024}
#: Figures measured before on a 2-core machine of this kind (msgs/s), the comparison baseline.
PRIOR_FAUST = 7_500.0
PRIOR_AIOKAFKA = 320_000.0


def bootstrap() -> str:
    from streams.broker import broker_answers

    address = os.environ.get("GEOTENSION_BOOTSTRAP", "127.0.0.1:9092")
    if not broker_answers(address):
        raise RuntimeError(f"no Kafka broker answers at {address}: start one with `geotension broker start`")
    return address


def produce(address: str, topic: str, count: int) -> None:
    from kafka import KafkaAdminClient, KafkaProducer
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=address)
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=address, linger_ms=20, batch_size=256 * 1024)
    value = b"x" * 100
    for i in range(count):
        producer.send(topic, key=str(i % 97).encode(), value=value)
    producer.flush()
    producer.close()


def delete(address: str, topics: list[str]) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=address)
    try:
        admin.delete_topics(topics)
    except Exception:  # noqa: BLE001 - best effort cleanup
        pass
    admin.close()


def missing_extra(variant: str) -> str | None:
    """Why ``variant`` cannot run here (its optional extra is not installed), or None."""
    if "uvloop" in variant and find_spec("uvloop") is None:
        return "No module named 'uvloop': skipped (pip install -e '.[fast]')"
    return None


def run_child(variant: str, address: str, topic: str, count: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_ceiling", "child", variant, address, topic, str(count)],
        capture_output=True, text=True, timeout=600, check=False, cwd=Path(__file__).resolve().parent.parent,
    )
    # faust routes a child's stdout through its logger: the JSON is at the end of a log line.
    lines = [line[line.index('{"rate"'):] for line in (done.stdout + done.stderr).splitlines() if '{"rate"' in line]
    if not lines:
        raise RuntimeError(f"{variant}: no result (exit {done.returncode}): {done.stderr.strip()[-400:]}")
    return dict(json.loads(lines[-1]))


def run(bench_dir: Path) -> list[dict[str, Any]]:
    address = bootstrap()
    topic = f"bench-ceiling-{secrets.token_hex(4)}"
    produce(address, topic, COUNT)
    results: list[dict[str, Any]] = []
    measured: dict[str, dict[str, Any]] = {}
    try:
        for variant in VARIANTS:
            missing = missing_extra(variant)
            if missing:
                results.append({"name": f"ceiling.{variant}", "skipped": missing})
                continue
            try:
                measured[variant] = run_child(variant, address, topic, COUNT)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                # One variant that cannot run must not hide the figures of the others.
                results.append({"name": f"ceiling.{variant}", "error": str(exc)})
    finally:
        delete(address, [topic])
    base = measured.get("faust-default", {}).get("rate")
    for variant, figures in measured.items():
        baseline = PRIOR_AIOKAFKA if variant == "aiokafka" else PRIOR_FAUST
        results.append({"name": f"ceiling.{variant}", "value": round(figures["rate"]), "unit": "msgs/s",
                        "baseline": baseline, "ratio": round(figures["rate"] / baseline, 3),
                        "cpu_percent": round(figures["cpu"], 1),
                        "vs_faust_default": round(figures["rate"] / base, 2) if base else None,
                        "count": COUNT})
    return results


# --------------------------------------------------------------------------------------------
# Children: one variant each, a clean process (faust and aiokafka keep global state).
# --------------------------------------------------------------------------------------------


class Meter:
    """Wall and CPU time from the first record to the ``count``-th."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen = 0
        self.started = 0.0
        self.cpu0 = 0.0

    def add(self, n: int) -> bool:
        if self.seen == 0:
            self.started = time.perf_counter()
            self.cpu0 = _cpu()
        self.seen += n
        return self.seen >= self.count

    def report(self) -> None:
        wall = time.perf_counter() - self.started
        cpu = _cpu() - self.cpu0
        print(json.dumps({"rate": self.seen / wall, "cpu": 100 * cpu / wall, "seen": self.seen}), flush=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_faust(variant: str, address: str, topic: str, count: int) -> None:
    if "uvloop" in variant:
        import mode.loop

        mode.loop.use("uvloop")
    import faust

    meter = Meter(count)
    extra = dict(TUNED) if variant == "faust-tuned" else {}
    app = faust.App(
        f"bench-{secrets.token_hex(4)}", broker=f"kafka://{address}", store="memory://", web_enabled=False,
        value_serializer="raw", key_serializer="raw", topic_replication_factor=1, autodiscover=False,
        consumer_auto_offset_reset="earliest", broker_commit_every=1000, **extra,
    )
    source = app.topic(topic, value_serializer="raw", key_serializer="raw")

    def finish() -> None:
        meter.report()
        os._exit(0)

    if variant.endswith("-take"):
        @app.agent(source)
        async def sink(stream: Any) -> None:
            async for batch in stream.take(1000, within=0.05):
                if meter.add(len(batch)):
                    finish()
    else:
        @app.agent(source)
        async def sink(stream: Any) -> None:  # noqa: F811 - one of two definitions is used
            async for _ in stream.events():
                if meter.add(1):
                    finish()

    worker = faust.Worker(app, loglevel="warning", quiet=True)
    if variant == "faust-no-spinner":
        worker.spinner = None
    worker.execute_from_commandline()


def child_aiokafka(address: str, topic: str, count: int) -> None:
    from aiokafka import AIOKafkaConsumer

    async def main() -> None:
        meter = Meter(count)
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=address, group_id=f"bench-{secrets.token_hex(4)}",
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
                n = sum(len(records) for records in batches.values())
                if n and meter.add(n):
                    break
        finally:
            meter.report()
            await consumer.stop()

    asyncio.run(main())


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "child":
        _, _, which, where, name, total = sys.argv
        if which == "aiokafka":
            child_aiokafka(where, name, int(total))
        else:
            child_faust(which, where, name, int(total))
    else:
        for row in run(Path(__file__).resolve().parent):
            print(json.dumps(row))
