"""Apache Avro Java 1.12 reads what we write and writes what we read, for every record type.

Runs ``tools/avro/AvroInterop.java`` (BinaryMessageDecoder / BinaryMessageEncoder with every
schema of ``schemas/``, the timestamp-millis conversion on); skipped only where java or mvn is
missing, which CI installs.
"""

from __future__ import annotations

import json

from streams.codec import default_registry
from tests.interop.compare import assert_same, to_json_form
from tests.interop.java import REPO, interop
from tests.interop.samples import SAMPLES, SCHEMA_NAMES

VECTORS = json.loads((REPO / "tests" / "data" / "avro" / "fingerprints.json").read_text(encoding="utf-8"))["schemas"]


def test_java_computes_the_checked_in_canonical_forms_and_fingerprints() -> None:
    found = {line["name"]: line for line in interop("fingerprints", []) if isinstance(line, dict)}
    assert sorted(found) == sorted(VECTORS)
    for name, line in found.items():
        assert line["canonical_form"] == VECTORS[name]["canonical_form"], name
        assert line["fingerprint"] == VECTORS[name]["fingerprint"], name


def test_java_reads_every_record_we_write_field_by_field() -> None:
    reg = default_registry()
    out = interop("read", [reg.encode(name, record).hex() for name, record in SAMPLES])
    assert len(out) == len(SAMPLES)
    for (name, record), line in zip(SAMPLES, out, strict=True):
        assert isinstance(line, dict)
        assert line["schema"] == f"geotension.{name}"
        assert_same(record, line["record"], name)


def test_we_read_every_record_java_writes() -> None:
    reg = default_registry()
    out = interop("write", [json.dumps({"schema": name, "record": to_json_form(record)}) for name, record in SAMPLES])
    assert len(out) == len(SAMPLES)
    for (name, record), line in zip(SAMPLES, out, strict=True):
        assert isinstance(line, str)
        data = bytes.fromhex(line)
        assert data[2:10] == reg.fingerprint(name)
        assert reg.decode(data) == (name, record)
        # Java writes exactly our bytes: same fingerprint, same body.
        assert data == reg.encode(name, record)


def test_samples_cover_every_schema() -> None:
    assert SCHEMA_NAMES == sorted(default_registry().by_name) == sorted(VECTORS)
