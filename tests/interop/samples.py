"""Records of every schema for the interoperability tests, as ``(schema name, record)`` pairs.

Between them they carry what independent implementations get wrong first: text in Albanian,
Persian and Hebrew (and an emoji outside the BMP), nulls and non-null branches of every union,
empty and non-empty arrays, nested records, enums, bytes that are not UTF-8, negative and
large longs, and timestamps before 1970, with milliseconds and far in the future.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

T0 = datetime(2022, 9, 7, 9, 30, 15, 123000, tzinfo=UTC)
BEFORE_1970 = datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
FAR = datetime(2199, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)

ALBANIA = {"code": "ALB", "country": "ALB", "role": "GOV", "name": "Qeveria shqiptare"}
MOIS = {"code": "IRN.MOIS", "country": "IRN", "role": "SPY", "name": "وزارت اطلاعات"}
MEK = {"code": "MEK", "country": None, "role": "OPP", "name": "مجاهدین خلق"}
ISRAEL = {"code": "ISR", "country": "ISR", "role": "MIL", "name": "צה״ל"}


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "event_id": "ev-1", "article_id": "a-1", "origin": "TEXT", "event_time": T0,
        "source": ALBANIA, "target": MOIS, "dyad": "ALB-IRN", "cameo_code": "0214", "quad_class": 3,
        "goldstein": -4.4, "context": "CYBER", "modality": "ATTRIBUTED", "confidence": 0.8,
        "evidence": {"sentence": "Qeveria shqiptare fajësoi shërbimin iranian për sulmin kibernetik.",
                     "spans": [{"start": 0, "end": 17, "label": "SOURCE"}, {"start": 27, "end": 44, "label": "TARGET"}]},
        "language": "sq", "num_sources": 1, "ruleset_version": "2026.11", "outlet": "Agjencia", "url": "https://example.org/sq/1",
        "truncated": False,
    }
    event.update(changes)
    return event


CONTRIBUTION = {
    "event_id": "ev-2", "event_time": BEFORE_1970, "source": "IRN", "target": "ISR", "cameo_code": "190",
    "modality": "THREATENED", "weight": -3.25, "num_sources": 2_000_000_000, "sentence": "ایران اسرائیل را تهدید کرد 🚀",
    "outlet": None, "url": "https://example.org/fa/2",
}


def _indicator(**changes: Any) -> dict[str, Any]:
    indicator = {
        "dyad": "IRN-ISR", "as_of": datetime(2025, 6, 14, tzinfo=UTC), "step": "1d", "revision": 7,
        "ruleset_version": "ind-3", "level": "SEVERE", "provisional": True, "tension_index": 61.62,
        "tension_score": -28.5, "cooperation_score": 0.0, "baseline_rate": 0.1, "surprise": 12.75,
        "windows": [
            {"window": "1d", "conflict_sum": -9.5, "cooperation_sum": 0.0, "goldstein_sum": -9.5, "event_count": 2,
             "quad_counts": [0, 0, 1, 1],
             "directions": [{"source": "ISR", "target": "IRN", "conflict_sum": -9.5, "cooperation_sum": 0.0, "event_count": 2}]},
            {"window": "30d", "conflict_sum": 0.0, "cooperation_sum": 0.0, "goldstein_sum": 0.0, "event_count": 0,
             "quad_counts": [], "directions": []},
        ],
        "top_events": [
            CONTRIBUTION,
            {**CONTRIBUTION, "event_id": "ev-3", "event_time": FAR, "source": "ISR", "target": "IRN",
             "sentence": "צה״ל תקף מטרות באיראן", "outlet": "ערוץ", "url": None, "weight": -1e-300},
        ],
    }
    indicator.update(changes)
    return indicator


SAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("Actor", ALBANIA),
    ("Actor", MEK),
    ("NewsArticle", {
        "id": "n-fa", "source": "خبرگزاری", "url": "https://example.org/fa/1", "title": "ایران سفیر آلبانی را احضار کرد",
        "body": "تهران — وزارت امور خارجه ایران روز چهارشنبه سفیر آلبانی را احضار کرد.\nخط دوم", "language": "fa",
        "published_at": T0, "ingested_at": FAR,
    }),
    ("NewsArticle", {
        "id": "n-null", "source": None, "url": None, "title": "Titull pa burim", "body": "", "language": None,
        "published_at": None, "ingested_at": None,
    }),
    ("TaggedEvent", _event()),
    ("TaggedEvent", _event(
        event_id="ev-he", origin="GDELT", event_time=BEFORE_1970, source=ISRAEL, target=MEK, dyad=None, cameo_code="0831",
        quad_class=2, goldstein=7.0, context="MILITARY", modality="DENIED", confidence=1.0,
        evidence={"sentence": "ישראל הכחישה", "spans": []}, language=None, num_sources=-1, outlet=None, url=None,
        truncated=True,
    )),
    ("EscalationIndicator", _indicator()),
    ("EscalationIndicator", _indicator(windows=[], top_events=[], provisional=False, level="CALM")),
    ("EscalationAlert", {
        "alert_id": "al-1", "dyad": "IRN-ISR", "as_of": datetime(2025, 6, 14, tzinfo=UTC), "from_level": "HIGH",
        "to_level": "SEVERE", "revision": 7, "snapshot": _indicator(),
        "status": "RAISED", "replaces": None, "correction": 0,
    }),
    ("EscalationAlert", {
        "alert_id": "al-2", "dyad": "IRN-ISR", "as_of": datetime(2025, 6, 14, tzinfo=UTC), "from_level": "SEVERE",
        "to_level": "SEVERE", "revision": 9, "snapshot": _indicator(),
        "status": "RETRACTED", "replaces": "al-1", "correction": 1,
    }),
    ("DeadLetter", {
        "reason": "`NewsArticle` body is truncated — متن ناقص", "error_type": "SchemaError", "agent": "tag",
        "topic": "news.raw", "partition": 2, "offset": 9_007_199_254_740_993, "key": b"\x00\xff\xfe key",
        "value": b"\xc3\x01\x80\x81 not utf-8 \xff", "failed_at": T0,
    }),
    ("DeadLetter", {
        "reason": "empty", "error_type": "InputError", "agent": "ingest", "topic": "t", "partition": 0, "offset": -1,
        "key": None, "value": None, "failed_at": FAR,
    }),
]

#: Every record schema has at least one sample.
SCHEMA_NAMES = sorted({name for name, _ in SAMPLES})
