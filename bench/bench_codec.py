"""Avro encoding and decoding of our records: the codec against fastavro, in the same run.

For a TaggedEvent, a NewsArticle of about 3 KB and an EscalationIndicator with three windows
and ten top events, records/s of:

* ``ours``      - :class:`streams.codec.SchemaRegistry` (``encode``: the compiled writer of
  ``streams/avro_writer.py``; ``decode``: fastavro's reader plus header and trailing checks);
* ``fastavro``  - the baseline: fastavro 1.x's C ``schemaless_writer`` / ``schemaless_reader``
  on the same parsed schema, with the same 10-byte header, nothing else;
* ``avro``      - the Python ``avro`` library (pure Python) for scale, encode and decode.

Each figure is the best of five interleaved rounds (the machine is shared; the best round is
the least disturbed one), and the ratio ours/fastavro is what decides which codec we keep.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import avro.io
import avro.schema
import fastavro

from streams.codec import MAGIC, default_registry

ROUNDS = 5
T0 = datetime(2022, 9, 7, 9, 30, 15, 123000, tzinfo=UTC)


def _records() -> dict[str, tuple[dict[str, Any], int]]:
    """(record, records per round) by schema."""
    actor = {"code": "IRN.MOIS", "country": "IRN", "role": "SPY", "name": "Iranian intelligence"}
    event = {
        "event_id": "3f1c0a9e2b7d4c55", "article_id": "9a8b7c6d5e4f3a2b", "origin": "TEXT", "event_time": T0,
        "source": {"code": "ALB", "country": "ALB", "role": "GOV", "name": "Albania"}, "target": actor,
        "dyad": "ALB-IRN", "cameo_code": "172", "quad_class": 4, "goldstein": -7.0, "context": "CYBER",
        "modality": "ATTRIBUTED", "confidence": 0.8,
        "evidence": {"sentence": "Albania said Iranian intelligence was behind the cyberattack on its government servers.",
                     "spans": [{"start": 0, "end": 7, "label": "SOURCE"}, {"start": 13, "end": 33, "label": "TARGET"},
                               {"start": 51, "end": 62, "label": "TRIGGER"}]},
        "language": "en", "num_sources": 1, "ruleset_version": "2026.11", "outlet": "wire",
        "url": "https://example.org/2022/09/07/albania-iran", "truncated": False,
    }
    article = {"id": "9a8b7c6d5e4f3a2b", "source": "wire", "url": "https://example.org/2022/09/07/albania-iran",
               "title": "Albania cuts diplomatic ties with Iran over cyberattack",
               "body": "Tirana said the attack on government servers was ordered from Tehran. " * 45,
               "language": "en", "published_at": T0, "ingested_at": T0 + timedelta(minutes=3)}
    contribution = {"event_id": "3f1c0a9e2b7d4c55", "event_time": T0, "source": "IRN", "target": "ALB",
                    "cameo_code": "172", "modality": "ATTRIBUTED", "weight": -5.6, "num_sources": 3,
                    "sentence": event["evidence"]["sentence"], "outlet": "wire", "url": event["url"]}
    window = {"window": "7d", "conflict_sum": -21.5, "cooperation_sum": 1.5, "goldstein_sum": -20.0, "event_count": 6,
              "quad_counts": [1, 0, 2, 3],
              "directions": [{"source": "ALB", "target": "IRN", "conflict_sum": -4.0, "cooperation_sum": 0.0, "event_count": 2},
                             {"source": "IRN", "target": "ALB", "conflict_sum": -17.5, "cooperation_sum": 1.5, "event_count": 4}]}
    indicator = {"dyad": "ALB-IRN", "as_of": T0.replace(hour=0, minute=0, second=0, microsecond=0), "step": "1d",
                 "revision": 13, "ruleset_version": "ind-3", "level": "SEVERE", "provisional": False,
                 "tension_index": 61.6, "tension_score": -28.5, "cooperation_score": 1.2, "baseline_rate": 0.04,
                 "surprise": 9.3, "windows": [window] * 3, "top_events": [contribution] * 10}
    return {"TaggedEvent": (event, 20_000), "NewsArticle": (article, 20_000), "EscalationIndicator": (indicator, 5_000)}


def _rate(func: Callable[[Any], Any], arg: Any, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        func(arg)
    return count / (time.perf_counter() - start)


def run(_here: Path) -> Iterator[dict[str, Any]]:
    """One result per schema and direction: records/s of ours, fastavro and avro."""
    registry = default_registry()
    for name, (record, count) in _records().items():
        schema = registry.schema(name)
        header = MAGIC + schema.fingerprint
        encode = registry.encoder(name)
        parsed = schema.parsed
        reference = avro.schema.parse(json.dumps(schema.standalone))
        avro_writer, avro_reader = avro.io.DatumWriter(reference), avro.io.DatumReader(reference)

        def fastavro_encode(r: Any, parsed: Any = parsed, header: bytes = header) -> bytes:
            buffer = io.BytesIO()
            buffer.write(header)
            fastavro.schemaless_writer(buffer, parsed, r)
            return buffer.getvalue()

        def fastavro_decode(data: bytes, parsed: Any = parsed) -> Any:
            buffer = io.BytesIO(data)
            buffer.seek(10)
            return fastavro.schemaless_reader(buffer, parsed, None)

        def avro_encode(r: Any, writer: Any = avro_writer, header: bytes = header) -> bytes:
            buffer = io.BytesIO()
            buffer.write(header)
            writer.write(r, avro.io.BinaryEncoder(buffer))
            return buffer.getvalue()

        def avro_decode(data: bytes, reader: Any = avro_reader) -> Any:
            buffer = io.BytesIO(data)
            buffer.seek(10)
            return reader.read(avro.io.BinaryDecoder(buffer))

        data = encode(record)
        assert fastavro_encode(record) == data == avro_encode(record), name
        assert registry.decode(data) == (name, fastavro_decode(data)), name
        best: dict[str, float] = {}
        for _ in range(ROUNDS):
            for key, func, arg, n in (
                ("encode_ours", encode, record, count), ("encode_fastavro", fastavro_encode, record, count),
                ("encode_avro", avro_encode, record, count // 20),
                ("decode_ours", registry.decode, data, count), ("decode_fastavro", fastavro_decode, data, count),
                ("decode_avro", avro_decode, data, count // 20),
            ):
                best[key] = max(best.get(key, 0.0), _rate(func, arg, n))
        for direction in ("encode", "decode"):
            yield {
                "name": f"codec.{name}.{direction}", "bytes": len(data),
                "ours_per_s": round(best[f"{direction}_ours"]), "fastavro_per_s": round(best[f"{direction}_fastavro"]),
                "avro_per_s": round(best[f"{direction}_avro"]),
                "ratio_ours_fastavro": round(best[f"{direction}_ours"] / best[f"{direction}_fastavro"], 2),
            }
