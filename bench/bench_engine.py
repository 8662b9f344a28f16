"""Indicator engine cost per event and memory, at 10k and 1M events.

The stream is generated deterministically: three dyads, both directions, a mix of CAMEO
codes and modalities over two years of event time, with 5 % of events arriving late (up to
20 days behind) and 2 % redelivered. Memory must be bounded by the horizon and the number of
dyads, not by the stream's length, so the state size after 1M events is reported next to the
size after 10k. The baseline is the bare cost of reading the same events in a Python loop
and hashing their ids, measured in the same run. Each size runs twice: emitting after every
event (the offline command) and deferring emission to the end of every 500 events (the agent,
``app.batch_max``), whose baseline is the first run.
"""

from __future__ import annotations

import gc
import hashlib
import json
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from streams.indicators import IndicatorEngine
from streams.indicators.engine import to_ms
from streams.settings import load_settings

PAIRS = [("ALB", "IRN"), ("IRN", "ALB"), ("IRN", "ISR"), ("ISR", "IRN"), ("ALB", "ISR"), ("ISR", "ALB")]
CODES = [("161", -4.0, 4), ("172", -5.0, 4), ("1712", -7.0, 4), ("111", -2.0, 3), ("130", -4.4, 3),
         ("057", 8.0, 1), ("042", 1.9, 1), ("195", -10.0, 4), ("073", 7.4, 2)]
START = datetime(2023, 1, 1, tzinfo=UTC)


def events(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    span = timedelta(days=730).total_seconds()
    out = []
    for i in range(count):
        src, tgt = rnd.choice(PAIRS)
        code, goldstein, quad = rnd.choice(CODES)
        when = START + timedelta(seconds=span * i / count)
        if rnd.random() < 0.05:
            when -= timedelta(hours=rnd.randrange(1, 24 * 20))
        out.append({
            "event_id": f"b{i}", "event_time": when, "dyad": "-".join(sorted((src, tgt))),
            "source": {"country": src}, "target": {"country": tgt}, "cameo_code": code, "quad_class": quad,
            "goldstein": goldstein, "modality": rnd.choice(["ASSERTED", "ASSERTED", "ALLEGED", "DENIED"]),
            "confidence": rnd.choice([0.6, 0.8, 0.9]), "num_sources": 1,
            "evidence": {"sentence": "s"}, "outlet": None, "url": None,
        })
        if rnd.random() < 0.02:
            out.append(out[len(out) - rnd.randrange(1, min(len(out), 200) + 1)])
    return out


#: Events per batch in the deferred run: the agent's ``app.batch_max`` default.
BATCH = 500


def run_stream(stream: list[dict[str, Any]], batch: int = 1) -> tuple[float, int, int, int]:
    """(seconds, snapshots emitted, merged events held, JSON bytes of all state).

    ``batch`` 1 emits after every event (the offline command); more defers emission and
    flushes every ``batch`` events, as the agent does with a full batch.
    """
    engine = IndicatorEngine(load_settings().indicators)
    states: dict[str, Any] = {}
    watermark = None
    snapshots = 0
    defer = batch > 1
    began = time.perf_counter()
    for n, event in enumerate(stream, start=1):
        t = to_ms(event["event_time"])
        watermark = t if watermark is None else max(watermark, t)
        state = states.get(event["dyad"])
        if state is None:
            state = states[event["dyad"]] = engine.new_state(event["dyad"])
        update = engine.apply(state, event, watermark, defer=defer)
        for other in states.values():
            if other is not state:
                update.extend(engine.advance(other, watermark, defer=defer))
        if defer and (n % batch == 0 or n == len(stream)):
            for each in states.values():
                update.extend(engine.flush(each, watermark))
        snapshots += len(update.snapshots)
    elapsed = time.perf_counter() - began
    merged = sum(len(s.merged) for s in states.values())
    size = sum(len(json.dumps(s.to_dict())) for s in states.values())
    return elapsed, snapshots, merged, size


def baseline(stream: list[dict[str, Any]]) -> float:
    began = time.perf_counter()
    seen = set()
    for event in stream:
        seen.add(hashlib.sha1(event["event_id"].encode()).digest())
        to_ms(event["event_time"])
    return time.perf_counter() - began


def run(bench_dir: Path) -> list[dict[str, Any]]:
    results = []
    for count in (10_000, 1_000_000):
        stream = events(count)
        gc.collect()
        base = baseline(stream)
        elapsed, snapshots, merged, size = run_stream(stream)
        per_event = elapsed / len(stream) * 1e6
        results.append({"name": f"engine_us_per_event_{count}", "value": round(per_event, 2), "unit": "us/event",
                        "baseline": round(base / len(stream) * 1e6, 3), "ratio": round(per_event / (base / len(stream) * 1e6), 1),
                        "events": len(stream), "snapshots": snapshots})
        results.append({"name": f"engine_state_{count}", "value": size, "unit": "bytes (JSON of all dyad states)",
                        "merged_events_held": merged})
        elapsed, snapshots, _, _ = run_stream(stream, BATCH)
        batched = elapsed / len(stream) * 1e6
        results.append({"name": f"engine_us_per_event_{count}_batch{BATCH}", "value": round(batched, 2),
                        "unit": "us/event", "baseline": round(per_event, 2), "ratio": round(batched / per_event, 3),
                        "events": len(stream), "snapshots": snapshots})
        del stream
    results.append({"name": "bench_process_max_rss", "value": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                    "unit": "MiB"})
    return results
