"""The worker against the peers a user could pick instead, on the same records, same run.

Two generated corpora in English, Albanian, Persian and Hebrew (the sentences of
``bench_tagger``, never real outlets' text), each produced once to a 3-partition topic:

* **R** — 50,000 articles of 1–3 KB, 2 % relevant: a realistic firehose, where the
  framework's consume path decides the rate;
* **H** — 20,000 articles, every one relevant and coded into exactly three events (checked
  when generated): the hot path of tagging, encoding, producing and the indicator engine.

Configurations, each a fresh process and a fresh consumer group reading the corpus from the
start:

* ``worker``     — ``geotension worker`` (RocksDB state, web off), on fresh output topics;
* ``quix``       — a Quix Streams application running our own functions: the same decoding,
  time checks, ``Tagger``, Avro encoding, and the ``IndicatorEngine``, with each dyad's head
  and every event in Quix's RocksDB state (with changelog), as a Quix user would write it;
  its engine emits per event (Quix has no batches), ours per batch (the ``bench`` extra);
* ``faust-noop`` — a faust agent doing nothing, on the worker's own faust settings
  (``create_app``): the framework's rate on this topic;
* ``worker-baseline`` — only with ``GEOTENSION_BENCH_BASELINE=<another checkout>``: the worker
  of that revision (say, the last release) in the same interleaved rounds, for a before/after;
* ``aiokafka`` / ``confluent`` — bare consumer loops, the client's limit (start-up bound at
  this size); ``confluent`` is skipped with a note when confluent-kafka is not installed.

Each figure is articles/s from process start until the group has committed every input
record (for the worker and Quix, the events topic too: every output has been produced,
since both flush their producer before they commit). Rounds are interleaved (every
configuration once per round, the order rotated), and each configuration reports the median
and range over rounds, its CPU seconds (user + system of its process tree) and peak RSS.
The machine is shared, so each run records ``/proc/loadavg``; compare ratios from one run.

    python -m bench peers                      # 3 rounds at full size
    python -m bench peers --scale 0.1 --rounds 1
    GEOTENSION_BENCH_PEERS=worker,quix python -m bench peers
    GEOTENSION_BENCH_BASELINE=../geotension-v0.3 python -m bench peers   # adds that revision's worker

The broker is ``GEOTENSION_BOOTSTRAP`` (default 127.0.0.1:9092).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench.bench_tagger import FILLER, RELEVANT, _body, _pick_lang

COUNTS = {"R": 50_000, "H": 20_000}
R_RELEVANT_SHARE = 0.02
H_EVENTS = 3
PARTITIONS = 3
CONFIGS = ("worker", "quix", "faust-noop", "aiokafka", "confluent", "worker-baseline")
#: The extra each configuration needs beyond the runtime dependencies.
NEEDS = {"quix": ("quixstreams", "pip install -e '.[bench]'"), "confluent": ("confluent_kafka", "pip install -e '.[bench]'")}
START = datetime(2024, 1, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
#: Sentences of our own that code into events, added to ``bench_tagger``'s relevant leads so
#: that every language has (title, lead) pairs giving exactly three events.
EXTRA_LEADS = {
    "en": ["Iran condemned Israel for the strike near Damascus."],
    "sq": ["Shqipëria dëboi diplomatët iranianë pas sulmit kibernetik.", "Izraeli sulmoi objektiva ushtarakë në Iran.",
           "Irani kërcënoi Izraelin me hakmarrje.",
           "Qeveria shqiptare akuzoi Iranin për sulmin kibernetik ndaj serverëve shtetërorë."],
    "fa": ["ایران حمله اسرائیل را محکوم کرد."],
    "he": ["איראן גינתה את ישראל בעקבות התקיפה.", "אלבניה גירשה את הדיפלומטים האיראנים בעקבות מתקפת הסייבר."],
}


def log(text: str) -> None:
    print(f"peers: {text}", file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# ------------------------------------------------------------------------------- corpora
def _article(k: int, lang: str, title: str, body: str, corpus: str) -> dict[str, Any]:
    return {"id": f"{corpus}{k}", "source": "bench", "url": None, "title": title, "body": body, "language": lang,
            "published_at": START + timedelta(seconds=30 * k), "ingested_at": None}


def corpus_r(n: int, seed: int = 15) -> Iterator[dict[str, Any]]:
    """``n`` articles of 1–3 KB, ``R_RELEVANT_SHARE`` of them naming two watched states."""
    rng = random.Random(seed)
    for k in range(n):
        lang = _pick_lang(rng)
        size = rng.randint(1000, 3000)
        if rng.random() < R_RELEVANT_SHARE:
            title, lead = rng.choice(RELEVANT[lang])
        else:
            title, lead = rng.choice(FILLER[lang])[:60], ""
        yield _article(k, lang, title, _body(rng, lang, size, lead), "r")


def _three_event_templates(tagger: Any) -> dict[str, list[tuple[str, str]]]:
    """(title, lead) pairs per language that the tagger codes into exactly ``H_EVENTS`` events."""
    out: dict[str, list[tuple[str, str]]] = {}
    for lang in RELEVANT:
        sentences = [s for pair in RELEVANT[lang] for s in pair] + EXTRA_LEADS.get(lang, [])
        found = []
        for title, lead in ([(t, b) for t, b in RELEVANT[lang]] + [(t, b) for t in sentences for b in sentences if t != b]):
            if len(tagger.tag(_article(0, lang, title, lead, "probe"))) == H_EVENTS:
                found.append((title, lead))
        if not found:
            raise RuntimeError(f"no {lang} sentences of the bench code into {H_EVENTS} events any more")
        out[lang] = found
    return out


def corpus_h(n: int, seed: int = 16) -> Iterator[dict[str, Any]]:
    """``n`` articles of 1–3 KB, each coded into exactly ``H_EVENTS`` events (checked here)."""
    from streams.settings import load_settings
    from streams.tagging import Tagger

    tagger = Tagger.from_settings(load_settings())
    templates = _three_event_templates(tagger)
    rng = random.Random(seed)
    for k in range(n):
        lang = _pick_lang(rng)
        for _attempt in range(20):
            title, lead = rng.choice(templates[lang])
            size = rng.randint(1000, 3000)
            parts, length = [lead], len(lead)
            while length < size:  # filler only: no single mentions that could add an event
                sentence = rng.choice(FILLER[lang])
                parts.append(sentence)
                length += len(sentence) + 1
            article = _article(k, lang, title, " ".join(parts), "h")
            if len(tagger.tag(article)) == H_EVENTS:
                break
        else:
            raise RuntimeError(f"article {k}: no draw of filler kept {H_EVENTS} events")
        yield article



def produce_corpus(address: str, topic: str, articles: Iterator[dict[str, Any]]) -> int:
    from kafka import KafkaAdminClient, KafkaProducer
    from kafka.admin import NewTopic

    from streams.codec import default_registry
    from streams.records import article_from_mapping

    admin = KafkaAdminClient(bootstrap_servers=address)
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    admin.close()
    registry = default_registry()
    producer = KafkaProducer(bootstrap_servers=address, linger_ms=20, batch_size=512 * 1024, max_request_size=8 << 20)
    count = 0
    for article in articles:
        record = article_from_mapping(article)
        producer.send(topic, key=record["id"].encode(), value=registry.encode("NewsArticle", record))
        count += 1
    producer.flush(timeout=300)
    producer.close()
    return count


def delete_topics(address: str, match: Callable[[str], bool]) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=address)
    try:
        names = [name for name in admin.list_topics() if match(name)]
        if names:
            admin.delete_topics(names)
    except Exception:  # noqa: BLE001 - best effort cleanup
        pass
    finally:
        admin.close()


# ------------------------------------------------------------------------------- process tree figures
def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out.extend(_tree(int(child)))
    except OSError:
        pass
    return out


def tree_figures(pid: int) -> tuple[float, float, float]:
    """(CPU seconds, current RSS MB, peak RSS MB as the sum of each process's high-water mark)."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = rss = peak = 0.0
    for each in _tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) / 1024
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss, peak


class LagWatch:
    """Records a consumer group has not committed on some topics, with clients kept open."""

    def __init__(self, address: str) -> None:
        from kafka import KafkaAdminClient, KafkaConsumer

        self.admin = KafkaAdminClient(bootstrap_servers=address)
        self.reader = KafkaConsumer(bootstrap_servers=address, enable_auto_commit=False)

    def lag(self, group: str, topics: list[str]) -> int:
        from kafka import TopicPartition
        from kafka.errors import KafkaError

        try:
            committed = self.admin.list_group_offsets({group: None}).get(group, {})
            parts = [TopicPartition(t, p) for t in topics for p in (self.reader.partitions_for_topic(t) or ())]
            if not parts:
                return -1
            ends = self.reader.end_offsets(parts)
        except KafkaError:
            return -1
        return sum(max(ends[tp] - max(committed[tp].offset if committed.get(tp) is not None else 0, 0), 0) for tp in parts)

    def close(self) -> None:
        self.reader.close()
        self.admin.close()


# ------------------------------------------------------------------------------- one run
def run_one(config: str, address: str, news: str, count: int, tmp: Path, watch: LagWatch,
            timeout_s: float = 1800) -> dict[str, Any]:
    """Start ``config`` on ``news``; wait until its group committed everything; figures."""
    tag = secrets.token_hex(4)
    prefix = f"bench-peers-{tag}."
    group = f"bench-peers-{tag}"
    names = {"news_raw": news, "gdelt_raw": prefix + "gdelt.raw", "events": prefix + "tension.events",
             "indicators": prefix + "tension.indicators", "alerts": prefix + "tension.alerts",
             "deadletter": prefix + "tension.deadletter"}
    watched = [news]
    env = dict(os.environ)
    if config in ("worker", "worker-baseline"):
        from streams.topics import ensure_topics

        settings = _worker_settings(address, names, group, tmp / tag)
        ensure_topics(settings)
        from streams.demo import worker_env

        env = worker_env(settings)
        for key, name in names.items():
            env[f"GEOTENSION_TOPICS_{key.upper()}_NAME"] = name
        env["GEOTENSION_TOPICS_PREFIX"] = ""
        command = [sys.executable, "-m", "streams", "worker", "--loglevel", "warning"]
        watched = [news, names["events"]]
    else:
        if config == "quix":
            _create(address, [names["events"], names["indicators"]])
            watched = [news, names["events"]]
        spec = {"bootstrap": address, "group": group, "news": news, "count": count, "state_dir": str(tmp / tag),
                **{k: v for k, v in names.items() if k != "news_raw"}}
        command = [sys.executable, "-m", "bench.bench_peers", "child", config, json.dumps(spec)]
    load_before = loadavg()
    log_path = tmp / f"{config}-{tag}.log"
    started = time.perf_counter()
    cwd = Path(os.environ["GEOTENSION_BENCH_BASELINE"]) if config == "worker-baseline" else ROOT
    with log_path.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    cpu = rss = peak = 0.0
    first = None  # seconds to the first commit: start-up, group join, first batch
    try:
        while True:
            if proc.poll() is not None and config in ("worker", "worker-baseline", "quix", "faust-noop"):
                raise RuntimeError(f"{config} exited with {proc.returncode}: {_tail(log_path)}")
            lag = watch.lag(group, watched)
            if first is None and 0 <= lag < count:
                first = time.perf_counter() - started
            if lag == 0:
                seconds = time.perf_counter() - started
                break
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"{config} did not finish within {timeout_s:.0f} s: {_tail(log_path)}")
            figures = tree_figures(proc.pid)
            if proc.poll() is None:
                cpu, rss, peak = figures[0], max(rss, figures[1]), max(peak, figures[2])
            time.sleep(0.2)
        if proc.poll() is None:
            figures = tree_figures(proc.pid)
            cpu, rss, peak = figures[0], max(rss, figures[1]), max(peak, figures[2])
    finally:
        _stop(proc)
        delete_topics(address, lambda name: name.startswith(prefix) or name.startswith(group))
    return {"seconds": seconds, "rate": count / seconds, "first_commit_s": first if first is not None else seconds, "cpu_s": cpu, "peak_rss_mb": max(rss, peak),
            "load_before": load_before, "load_after": loadavg()}


def _worker_settings(address: str, names: dict[str, str], group: str, data: Path) -> Any:
    import dataclasses

    from streams.settings import load_settings

    base = load_settings()
    topics = dataclasses.replace(base.topics, prefix="", **{
        key: dataclasses.replace(getattr(base.topics, key), name=name) for key, name in names.items()})
    return dataclasses.replace(
        base, kafka=dataclasses.replace(base.kafka, bootstrap=address), topics=topics,
        app=dataclasses.replace(base.app, id=group, data_dir=str(data)),
        web=dataclasses.replace(base.web, enabled=False))


def _create(address: str, topics: list[str]) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=address)
    admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics])
    admin.close()


def _tail(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines() if path.exists() else []
    return " | ".join(lines[-3:])[-600:] or "no output"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass


# ------------------------------------------------------------------------------- the benchmark
def available(configs: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The configurations that can run here, and a note for each one skipped."""
    ok, notes = [], []
    for config in configs:
        need = NEEDS.get(config)
        if need and find_spec(need[0]) is None:
            notes.append({"name": f"peers.{config}", "skipped": f"No module named '{need[0]}' ({need[1]})"})
        else:
            ok.append(config)
    return ok, notes


def summarise(corpus: str, count: int, runs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    def median(config: str, key: str) -> float | None:
        return statistics.median(r[key] for r in runs[config]) if runs.get(config) else None

    quix, noop = median("quix", "rate"), median("faust-noop", "rate")
    out = []
    for config, items in runs.items():
        rates = [r["rate"] for r in items]
        rate = statistics.median(rates)
        row: dict[str, Any] = {
            "name": f"peers.{corpus}.{config}", "value": round(rate), "unit": "articles/s",
            "range": [round(min(rates)), round(max(rates))], "rounds": len(items), "count": count,
            "cpu_s": round(statistics.median(r["cpu_s"] for r in items), 1),
            "cpu_us_per_article": round(statistics.median(r["cpu_s"] for r in items) / count * 1e6),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in items), 1),
            "baseline": round(quix) if quix else None, "ratio": round(rate / quix, 3) if quix else None,
            "vs_faust_noop": round(rate / noop, 3) if noop else None,
            "load": [r["load_before"] for r in items],
        }
        out.append(row)
    return out


def options() -> tuple[float, int, list[str]]:
    scale = float(os.environ.get("GEOTENSION_BENCH_SCALE", "1"))
    rounds = int(os.environ.get("GEOTENSION_BENCH_ROUNDS", "3"))
    default = [c for c in CONFIGS if c != "worker-baseline" or os.environ.get("GEOTENSION_BENCH_BASELINE")]
    wanted = [c for c in os.environ.get("GEOTENSION_BENCH_PEERS", ",".join(default)).split(",") if c]
    if "worker-baseline" in wanted and not Path(os.environ.get("GEOTENSION_BENCH_BASELINE", "/nonexistent"), "streams").is_dir():
        raise ValueError("worker-baseline needs GEOTENSION_BENCH_BASELINE: a checkout of another revision")
    unknown = [c for c in wanted if c not in CONFIGS]
    if unknown or scale <= 0 or rounds < 1:
        raise ValueError(f"GEOTENSION_BENCH_PEERS must name some of {', '.join(CONFIGS)}, scale > 0, rounds >= 1")
    return scale, rounds, wanted


def run(_here: Path) -> Iterator[dict[str, Any]]:
    scale, rounds, wanted = options()
    address = os.environ.get("GEOTENSION_BOOTSTRAP", "127.0.0.1:9092")
    from streams.broker import broker_answers

    if not broker_answers(address):
        raise RuntimeError(f"no Kafka broker answers at {address}: start one with `geotension broker start`")
    configs, notes = available(wanted)
    yield from notes
    tag = secrets.token_hex(3)
    watch = LagWatch(address)
    try:
        with tempfile.TemporaryDirectory(prefix="geotension-bench-peers-") as tmp_name:
            tmp = Path(tmp_name)
            for corpus, make in (("R", corpus_r), ("H", corpus_h)):
                count = max(100, int(COUNTS[corpus] * scale))
                topic = f"bench-peers-{tag}-{corpus}.news.raw"
                began = time.perf_counter()
                produced = produce_corpus(address, topic, make(count))
                log(f"corpus {corpus}: {produced} articles produced in {time.perf_counter() - began:.1f} s")
                runs: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
                try:
                    for n in range(rounds):
                        order = configs[n % len(configs):] + configs[:n % len(configs)]
                        for config in order:
                            figures = run_one(config, address, topic, produced, tmp, watch)
                            runs[config].append(figures)
                            log(f"{corpus} round {n + 1} {config}: {figures['rate']:.0f} articles/s, "
                                f"{figures['cpu_s']:.1f} s CPU, {figures['peak_rss_mb']:.0f} MB, load {figures['load_before']}")
                            yield {"name": f"peers.{corpus}.{config}.round", "round": n + 1,
                                   **{k: (round(v, 2) if isinstance(v, float) else v) for k, v in figures.items()}}
                finally:
                    delete_topics(address, lambda name, topic=topic: name == topic)
                yield from summarise(corpus, produced, runs)
    finally:
        watch.close()


# ------------------------------------------------------------------------------- children
def child_quix(spec: dict[str, Any]) -> None:
    """Our functions hosted by Quix Streams: news → events (tag), events → indicators (engine)."""
    from quixstreams import Application
    from quixstreams.models.serializers import Serializer

    from streams.codec import default_registry
    from streams.indicators import IndicatorEngine
    from streams.indicators.engine import to_ms
    from streams.indicators.state import DyadState
    from streams.records import decode_article, parse_time
    from streams.settings import load_settings
    from streams.tagging import Tagger
    from streams.timecheck import check_article_times

    class PairValue(Serializer):
        """Produces the value of a (key, value) pair; ``to_topic(key=...)`` takes the key."""

        def __call__(self, value: Any, ctx: Any) -> bytes:
            return bytes(value[1])

    settings = load_settings()
    registry = default_registry()
    tagger = Tagger.from_settings(settings)
    engine = IndicatorEngine(settings.indicators)
    limits = settings.tagging
    app = Application(broker_address=spec["bootstrap"], consumer_group=spec["group"], auto_offset_reset="earliest",
                      commit_interval=1.0, loglevel="WARNING", state_dir=spec["state_dir"])
    news = app.topic(spec["news"], key_deserializer="bytes", value_deserializer="bytes")
    events_in = app.topic(spec["events"], key_deserializer="bytes", value_deserializer="bytes")
    events_out = app.topic(spec["events"], key_serializer="bytes", value_serializer=PairValue())
    indicators_out = app.topic(spec["indicators"], key_serializer="bytes", value_serializer=PairValue())

    def tag(value: bytes, key: Any, timestamp: int, headers: Any) -> list[tuple[bytes, bytes]]:
        article = decode_article(value, registry)
        if article["ingested_at"] is None:
            article["ingested_at"] = parse_time(timestamp, "timestamp")
        check_article_times(article, datetime.now(tz=UTC), limits.earliest_year, limits.max_future_s)
        return [((ev["dyad"] or ev["article_id"]).encode(), registry.encode("TaggedEvent", ev)) for ev in tagger.tag(article)]

    states: dict[str, DyadState] = {}
    watermark: list[int] = []

    def indicate(value: bytes, state: Any) -> list[tuple[bytes, bytes]]:
        _, record = registry.decode(value, expect="TaggedEvent")
        if not record.get("dyad"):
            return []
        time_ms = to_ms(record["event_time"])
        mark = max(watermark[0], time_ms) if watermark else time_ms
        watermark[:] = [mark]
        dyad = states.get(record["dyad"])
        if dyad is None:
            dyad = states[record["dyad"]] = engine.new_state(record["dyad"])
        update = engine.apply(dyad, record, mark)
        for other in states.values():
            if other is not dyad:
                update.extend(engine.advance(other, mark))
        # Durable as the worker's table: the dyad's head, and the event under a key of its own
        # (the Quix idiom, O(1) per event; rewriting the changed bucket per event, as the
        # worker does per batch, made this stage 20 times slower).
        dyad.dirty.clear()
        state.set("head", dyad.head())
        state.set(record["event_id"], value.hex())
        return ([(s["dyad"].encode(), registry.encode("EscalationIndicator", s)) for s in update.snapshots]
                + [(a["dyad"].encode(), registry.encode("EscalationAlert", a)) for a in update.alerts])

    app.dataframe(news).apply(tag, expand=True, metadata=True).to_topic(events_out, key=lambda pair: pair[0])
    app.dataframe(events_in).apply(indicate, expand=True, stateful=True).to_topic(indicators_out, key=lambda pair: pair[0])
    app.run()


def child_faust_noop(spec: dict[str, Any]) -> None:
    """An agent doing nothing, on the worker's own faust app settings (``create_app``)."""
    import dataclasses

    import faust

    from streams.app import create_app
    from streams.settings import load_settings

    base = load_settings()
    settings = dataclasses.replace(
        base, kafka=dataclasses.replace(base.kafka, bootstrap=spec["bootstrap"]),
        app=dataclasses.replace(base.app, id=spec["group"], store="memory://", data_dir=spec["state_dir"]),
        web=dataclasses.replace(base.web, enabled=False))
    app = create_app(settings)
    source = app.topic(spec["news"], key_serializer="raw", value_serializer="raw")

    @app.agent(source)
    async def noop(stream: Any) -> None:
        async for _ in stream.events():
            pass

    worker = faust.Worker(app, loglevel="warning", quiet=True)
    worker.spinner = None
    worker.execute_from_commandline()


def child_aiokafka(spec: dict[str, Any]) -> None:
    import asyncio

    from aiokafka import AIOKafkaConsumer

    async def main() -> None:
        consumer = AIOKafkaConsumer(spec["news"], bootstrap_servers=spec["bootstrap"], group_id=spec["group"],
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        seen = 0
        try:
            while seen < spec["count"]:
                batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
                seen += sum(len(records) for records in batches.values())
            await consumer.commit()
        finally:
            await consumer.stop()

    asyncio.run(main())


def child_confluent(spec: dict[str, Any]) -> None:
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": spec["bootstrap"], "group.id": spec["group"],
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([spec["news"]])
    seen = 0
    try:
        while seen < spec["count"]:
            seen += sum(1 for m in consumer.consume(num_messages=10_000, timeout=0.5) if m.error() is None)
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()


CHILDREN: dict[str, Callable[[dict[str, Any]], None]] = {
    "quix": child_quix, "faust-noop": child_faust_noop, "aiokafka": child_aiokafka, "confluent": child_confluent}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        CHILDREN[sys.argv[2]](json.loads(sys.argv[3]))
    else:
        for row in run(ROOT / "bench"):
            print(json.dumps(row), flush=True)
