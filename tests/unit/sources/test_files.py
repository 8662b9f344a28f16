"""JSON lines and Avro container readers, and format detection."""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.errors import InputError
from streams.records import article_from_mapping
from streams.sources import Item
from streams.sources.avro_files import read_avro, write_avro
from streams.sources.detect import detect_format
from streams.sources.jsonl import read_jsonl

DATA = Path(__file__).resolve().parents[2] / "data"
ARTICLE = {"id": "a1", "source": "wire", "url": "https://example.org/a1", "title": "Albania expels Iranian diplomats",
           "body": "Tirana expelled the ambassador.", "language": "en", "published_at": "2022-09-07T09:00:00Z"}


def test_jsonl_items_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps(ARTICLE).encode(), b"", b"{not json", json.dumps({"source": "wire"}).encode(),
        b"\xff\xfe", json.dumps({**ARTICLE, "id": None, "published_at": "2022-09-08"}).encode(),
    ]) + b"\n")
    out = list(read_jsonl(path))
    assert [type(o).__name__ for o in out] == ["Item", "Bad", "Bad", "Bad", "Item"]
    first = out[0]
    assert isinstance(first, Item)
    assert first.record == article_from_mapping(ARTICLE)
    assert (first.key, first.event_time, first.where) == ("a1", datetime(2022, 9, 7, 9, tzinfo=UTC), f"{path}:1")
    assert str(out[1]).startswith(f"{path}:3: not valid JSON")
    assert str(out[2]) == f"{path}:4: article has neither `title` nor `body`"
    assert str(out[3]) == f"{path}:5: not valid UTF-8 (byte 0)"
    last = out[4]
    assert isinstance(last, Item) and len(last.key) == 16 and last.event_time == datetime(2022, 9, 8, tzinfo=UTC)


def test_jsonl_gzip_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(ARTICLE).encode() + b"\n"))
    out = list(read_jsonl(path))
    assert len(out) == 1 and isinstance(out[0], Item) and out[0].record == article_from_mapping(ARTICLE)
    with pytest.raises(InputError, match="missing.jsonl: file not found"):
        list(read_jsonl(tmp_path / "missing.jsonl"))


def test_avro_container_round_trip(tmp_path: Path) -> None:
    records = [article_from_mapping(ARTICLE), article_from_mapping({**ARTICLE, "id": "a2", "published_at": None})]
    path = tmp_path / "a.avro"
    assert write_avro(path, records) == 2
    out = list(read_avro(path))
    assert [o.record for o in out if isinstance(o, Item)] == records
    assert [o.where for o in out] == [f"{path}:#1", f"{path}:#2"]


WRITTEN = [
    {**ARTICLE, "published_at": datetime(2022, 9, 7, 9, tzinfo=UTC), "ingested_at": None},
    {"id": "a2", "source": None, "url": None, "title": "\u0622\u0644\u0628\u0627\u0646\u06cc \u0648 \u0627\u06cc\u0631\u0627\u0646",
     "body": "", "language": "fa", "published_at": None, "ingested_at": datetime(2022, 9, 8, 6, 30, tzinfo=UTC)},
]


def _schema() -> dict[str, object]:
    return json.loads((Path(__file__).resolve().parents[3] / "schemas" / "NewsArticle.avsc").read_text(encoding="utf-8"))


@pytest.mark.parametrize("codec", ["null", "deflate", "snappy", "zstandard", "bzip2", "xz"])
def test_avro_container_written_by_fastavro_in_each_codec(tmp_path: Path, codec: str) -> None:
    """Files from another writer (fastavro), in every block codec it offers, many records per block."""
    import fastavro

    path = tmp_path / f"{codec}.avro"
    many = [{**WRITTEN[n % 2], "id": f"a{n}"} for n in range(300)]
    with path.open("wb") as handle:
        fastavro.writer(handle, fastavro.parse_schema(_schema()), many, codec=codec, sync_interval=4000)
    with path.open("rb") as handle:
        assert fastavro.reader(handle).codec == codec
    out = list(read_avro(path))
    assert [o.record for o in out if isinstance(o, Item)] == [article_from_mapping(r) for r in many]
    assert out[-1].where == f"{path}:#300"


@pytest.mark.parametrize("codec", ["deflate", "zstandard"])
def test_avro_container_written_by_python_avro_in_compressed_codecs(tmp_path: Path, codec: str) -> None:
    path = tmp_path / f"{codec}.avro"
    records = [article_from_mapping(r) for r in WRITTEN]
    assert write_avro(path, records, codec=codec) == 2
    assert [o.record for o in read_avro(path) if isinstance(o, Item)] == records


def test_avro_block_damaged_mid_file_names_the_last_good_record(tmp_path: Path) -> None:
    import fastavro

    path = tmp_path / "cut.avro"
    with path.open("wb") as handle:
        fastavro.writer(handle, fastavro.parse_schema(_schema()), [{**WRITTEN[0], "id": f"a{n}"} for n in range(40)],
                        codec="zstandard", sync_interval=500)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    out: list[object] = []
    with pytest.raises(InputError, match=r"cut.avro: corrupt after record #\d+ \("):
        out.extend(read_avro(path))
    assert 0 < len(out) < 40 and all(isinstance(o, Item) for o in out)


def test_avro_garbage_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.avro"
    path.write_bytes(b"Obj\x01garbage")
    with pytest.raises(InputError, match="bad.avro"):
        list(read_avro(path))


def test_detect_by_name_and_content(tmp_path: Path) -> None:
    gd = DATA / "gdelt" / "gdelt2_sample.export.tsv"
    assert detect_format(str(gd)) == "gdelt"
    assert detect_format(str(DATA / "feeds" / "cnn_2024-08-08.xml")) == "rss"
    assert detect_format("https://example.org/feed") == "rss"
    sniff = {"x1": json.dumps(ARTICLE).encode(), "x2": gd.read_bytes(), "x3": (DATA / "feeds" / "atom_sample.xml").read_bytes()}
    for name, data in sniff.items():
        (tmp_path / name).write_bytes(data)
    write_avro(tmp_path / "x4", [article_from_mapping(ARTICLE)])
    with zipfile.ZipFile(tmp_path / "x5", "w") as archive:
        archive.write(gd, "export.CSV")
    assert [detect_format(str(tmp_path / n)) for n in ("x1", "x2", "x3", "x4", "x5")] == ["jsonl", "gdelt", "rss", "avro", "gdelt"]
    (tmp_path / "x6").write_bytes(b"hello,world\n")
    with pytest.raises(InputError, match="x6: unknown format"):
        detect_format(str(tmp_path / "x6"))
    with pytest.raises(InputError, match="nope: file not found"):
        detect_format(str(tmp_path / "nope"))
