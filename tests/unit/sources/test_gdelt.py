"""GDELT export rows → TaggedEvents, skips and errors (the real rows in tests/data/gdelt)."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.codec import default_registry
from streams.errors import InputError, SchemaError
from streams.sources import Bad, Item
from streams.sources.gdelt import GdeltRules, Skip, classify, read_gdelt

DATA = Path(__file__).resolve().parents[2] / "data" / "gdelt"
WATCHED = GdeltRules(frozenset({"ALB", "IRN", "ISR"}))


def rows(name: str) -> list[bytes]:
    return (DATA / name).read_bytes().splitlines()


def row_with_id(name: str, gid: str) -> bytes:
    return next(line for line in rows(name) if line.startswith(gid.encode() + b"\t"))


def test_irn_isr_row_becomes_the_whole_expected_event() -> None:
    event = classify(row_with_id("gdelt2_alb_irn_isr.export.tsv", "661116160"), WATCHED)
    assert event == {
        "event_id": "gdelt-661116160",
        "article_id": "GDELT:661116160",
        "origin": "GDELT",
        "event_time": datetime(2017, 6, 1, tzinfo=UTC),
        "source": {"code": "ISR", "country": "ISR", "role": "OTHER", "name": "ISRAEL"},
        "target": {"code": "IRN", "country": "IRN", "role": "OTHER", "name": "IRANIAN"},
        "dyad": "IRN-ISR",
        "cameo_code": "012",
        "quad_class": 1,
        "goldstein": -0.4,
        "context": "OTHER",
        "modality": "ASSERTED",
        "confidence": 0.6,
        "evidence": {"sentence": event["url"], "spans": []},  # type: ignore[index]
        "language": None,
        "num_sources": 1,
        "ruleset_version": "gdelt2:watched=ALB,IRN,ISR:confidence=0.6",
        "outlet": None,
        "url": event["url"],  # type: ignore[index]
        "truncated": False,
    }
    assert event["url"].startswith("http")  # type: ignore[index]
    default_registry().encode("TaggedEvent", event)  # matches the schema


def test_roles_codes_with_leading_zeros_and_one_sided_rows() -> None:
    # ISRAEL (ISR) → MAHMOUD ABBAS (PSE, GOV): one watched side, so no dyad but an event.
    event = classify(row_with_id("gdelt2_alb_irn_isr.export.tsv", "661116164"), WATCHED)
    assert isinstance(event, dict)
    assert (event["source"]["country"], event["target"]["country"], event["target"]["role"]) == ("ISR", "PSE", "GOV")
    assert (event["dyad"], event["cameo_code"], event["quad_class"], event["goldstein"]) == (None, "043", 1, 2.8)
    assert event["context"] == "DIPLOMATIC"
    # RUSSIAN → TEHRAN: a four-digit code with a leading zero stays a string.
    event = classify(row_with_id("gdelt2_alb_irn_isr.export.tsv", "669667597"), WATCHED)
    assert isinstance(event, dict) and event["cameo_code"] == "0871" and event["goldstein"] == 9.0
    # Same watched country on both sides: not a pair.
    event = classify(row_with_id("gdelt2_alb_irn_isr.export.tsv", "661116163"), WATCHED)
    assert isinstance(event, dict) and event["dyad"] is None and event["source"]["role"] == "GOV"


def test_every_real_row_is_accounted_for() -> None:
    tally: Counter[str] = Counter()
    dyads: Counter[str | None] = Counter()
    for name in ("gdelt2_alb_irn_isr.export.tsv", "gdelt2_sample.export.tsv"):
        for line in rows(name):
            result = classify(line, WATCHED)
            if isinstance(result, Skip):
                tally[result.reason] += 1
            else:
                tally["event"] += 1
                dyads[result["dyad"]] += 1
    assert tally == {"event": 31, "no-actor-country": 67, "not-watched": 7}
    assert dyads == {None: 29, "IRN-ISR": 2}


def test_context_follows_the_code() -> None:
    assert [WATCHED.context(c) for c in ("190", "1951", "163", "0871", "04", "112", "1711")] == [
        "MILITARY", "MILITARY", "ECONOMIC", "OTHER", "DIPLOMATIC", "OTHER", "LEGAL"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda f: f[:-1], "60 tab-separated columns, expected 61"),
    (lambda f: [f[0], "20171301", *f[2:]], "SQLDATE is not a YYYYMMDD date: '20171301'"),
    (lambda f: ["x12", *f[1:]], "GLOBALEVENTID is not a number"),
    (lambda f: [*f[:26], "19x", *f[27:]], "EventCode is not a CAMEO code"),
    (lambda f: [*f[:29], "7", *f[30:]], "QuadClass must be 1..4, got 7"),
    (lambda f: [*f[:30], "high", *f[31:]], "GoldsteinScale is not a number: 'high'"),
])
def test_malformed_rows_raise_schema_errors(mutate: object, message: str) -> None:
    fields = row_with_id("gdelt2_alb_irn_isr.export.tsv", "661116160").decode().split("\t")
    with pytest.raises(SchemaError, match=message.replace("(", r"\(").replace(".", r"\.")):
        classify("\t".join(mutate(fields)), WATCHED)  # type: ignore[operator]


def test_invalid_utf8_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="not valid UTF-8"):
        classify(b"\xff\xfe" + b"\t" * 60, WATCHED)


def test_reader_plain_and_zip_give_the_same_items(tmp_path: Path) -> None:
    source = DATA / "gdelt2_sample.export.tsv"
    zipped = tmp_path / "20250807220000.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, "20250807220000.export.CSV")
    plain = list(read_gdelt(source))
    packed = list(read_gdelt(zipped))
    assert len(plain) == 40 and all(isinstance(i, Item) for i in plain)
    assert [(i.key, i.event_time, i.raw) for i in plain] == [(i.key, i.event_time, i.raw) for i in packed]  # type: ignore[union-attr]
    first = plain[0]
    assert isinstance(first, Item)
    assert first.raw == source.read_bytes().split(b"\n")[0].rstrip(b"\r")
    assert first.where == f"{source}:1"


def test_reader_reports_bad_lines_by_file_and_line(tmp_path: Path) -> None:
    good = rows("gdelt2_sample.export.tsv")[:2]
    path = tmp_path / "mixed.export.CSV"
    path.write_bytes(good[0] + b"\n" + b"1\t2\t3\n" + good[1] + b"\n")
    out = list(read_gdelt(path))
    assert [type(i).__name__ for i in out] == ["Item", "Bad", "Item"]
    assert str(out[1]) == f"{path}:2: GDELT row has 3 tab-separated columns, expected 61"
    gdelt1 = list(read_gdelt(DATA / "gdelt1_alb_irn_isr.csv"))
    assert len(gdelt1) == 34 and all(isinstance(b, Bad) for b in gdelt1)


def test_zip_with_two_members_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "two.export.CSV.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.CSV", "x")
        archive.writestr("b.CSV", "y")
    with pytest.raises(InputError, match="expected one export file in the zip, found 2"):
        list(read_gdelt(path))
    with pytest.raises(InputError, match="file not found"):
        list(read_gdelt(tmp_path / "missing.export.CSV"))
