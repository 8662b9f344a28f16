"""Fingerprints follow the specification's Parsing Canonical Form; the 0.1.x ones are still read.

The expected values in tests/data/avro/fingerprints.json were computed by Apache Avro Java
(test_java.py recomputes them); here our codec and an implementation written from the
specification (spec_avro.py) must both give them, and the README's table must list them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import avro.io
import avro.schema
import pytest

from streams.avro_schemas import LEGACY_FILE
from streams.codec import MAGIC, SchemaRegistry, default_registry
from streams.errors import SchemaError
from tests.interop.samples import SAMPLES
from tests.interop.spec_avro import Schemas, crc64_avro

REPO = Path(__file__).resolve().parents[2]
VECTORS = json.loads((REPO / "tests" / "data" / "avro" / "fingerprints.json").read_text(encoding="utf-8"))["schemas"]
LEGACY = json.loads(LEGACY_FILE.read_text(encoding="utf-8"))["schemas"]


def test_every_schema_file_has_checked_in_values() -> None:
    assert sorted(p.stem for p in (REPO / "schemas").glob("*.avsc")) == sorted(VECTORS)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_codec_gives_the_specifications_canonical_form_and_fingerprint(name: str) -> None:
    schema = default_registry().schema(name)
    assert schema.canonical_form == VECTORS[name]["canonical_form"]
    assert schema.fingerprint.hex() == VECTORS[name]["fingerprint"]


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_spec_implementation_agrees(name: str) -> None:
    canonical = Schemas(REPO / "schemas").canonical_form(name)
    assert canonical == VECTORS[name]["canonical_form"]
    assert crc64_avro(canonical.encode("utf-8")).hex() == VECTORS[name]["fingerprint"]


def test_crc64_avro_of_avro_s_own_test_vector() -> None:
    # share/test/data/schema-tests.txt in Apache Avro: "int" has the fingerprint 8247732601305521295
    # (a Java long); the single-object header holds it little-endian.
    assert int.from_bytes(crc64_avro(b'"int"'), "little") == 8247732601305521295


def _as_0_1_wrote_it(name: str, record: dict) -> bytes:
    """The bytes geotension 0.1.x wrote: Python avro's writer, the 0.1.x schema and its fingerprint."""
    old = LEGACY[name]
    schema = avro.schema.parse(json.dumps(old["schema"]))
    buffer = io.BytesIO()
    buffer.write(MAGIC + schema.fingerprint("CRC-64-AVRO"))
    # Only the fields 0.1.x had: it knew nothing of the ones added since.
    fields = {f["name"] for f in old["schema"]["fields"]}
    avro.io.DatumWriter(schema).write({k: v for k, v in record.items() if k in fields}, avro.io.BinaryEncoder(buffer))
    return buffer.getvalue()


def test_the_0_1_fingerprints_are_those_python_avro_computes_for_the_0_1_schemas() -> None:
    assert sorted(LEGACY) == sorted(VECTORS)
    for name, old in LEGACY.items():
        assert avro.schema.parse(json.dumps(old["schema"])).fingerprint("CRC-64-AVRO").hex() == old["fingerprint"], name
        assert old["fingerprint"] == VECTORS[name]["legacy_fingerprint"], name
    # The value 0.1.x put on tension.events, as a consumer found it.
    assert LEGACY["TaggedEvent"]["fingerprint"] == "b1b358ab2ef3fcff"


@pytest.mark.parametrize(("name", "record"), SAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SAMPLES)])
def test_records_written_by_0_1_are_still_read(name: str, record: dict) -> None:
    reg = default_registry()
    data = _as_0_1_wrote_it(name, record)
    assert data[2:10].hex() == LEGACY[name]["fingerprint"]
    # Fields added since 0.1.x come back with their defaults.
    old_fields = {f["name"] for f in LEGACY[name]["schema"]["fields"]}
    added = {f["name"]: f["default"] for f in reg.schema(name).standalone["fields"] if f["name"] not in old_fields}
    expected = {**{k: v for k, v in record.items() if k in old_fields}, **added}
    assert reg.decode(data) == (name, expected)
    assert reg.decode(data, expect=name) == (name, expected)


def test_a_0_1_record_of_a_schema_changed_since_is_resolved_to_the_new_schema(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", folder)
    alert = json.loads((folder / "EscalationAlert.avsc").read_text(encoding="utf-8"))
    alert["fields"].append({"name": "note", "type": ["null", "string"], "default": None, "doc": "added later"})
    alert["fields"].append({"name": "weight", "type": "int", "default": 0, "doc": "added later"})
    (folder / "EscalationAlert.avsc").write_text(json.dumps(alert), encoding="utf-8")
    reg = SchemaRegistry(folder)
    assert reg.fingerprint("EscalationAlert") != default_registry().fingerprint("EscalationAlert")
    name, record = next((n, r) for n, r in SAMPLES if n == "EscalationAlert")
    # status, replaces and correction were added after 0.1.x too: their defaults come back.
    assert reg.decode(_as_0_1_wrote_it(name, record)) == (
        name, {**record, "status": "RAISED", "replaces": None, "correction": 0, "note": None, "weight": 0})


def test_a_legacy_fingerprint_still_names_its_schema() -> None:
    legacy = MAGIC + bytes.fromhex(LEGACY["TaggedEvent"]["fingerprint"]) + b"\x00"
    with pytest.raises(SchemaError, match="expected a `NewsArticle` record, got `TaggedEvent`"):
        default_registry().decode(legacy, expect="NewsArticle")


def test_writers_use_only_the_new_fingerprints() -> None:
    reg = default_registry()
    for name, record in SAMPLES:
        assert reg.encode(name, record)[2:10].hex() == VECTORS[name]["fingerprint"]


def test_readme_lists_every_old_and_new_fingerprint() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `schemas/\w+\.avsc` \| `([0-9a-f]{16})` \| `([0-9a-f]{16}|-)` \|", readme, re.M)
    assert {name: (new, old) for name, new, old in rows} == {
        name: (v["fingerprint"], v["legacy_fingerprint"]) for name, v in VECTORS.items()
    }


def test_exported_schemas_are_self_contained_and_fastavro_fingerprints_them_right(tmp_path: Path) -> None:
    import fastavro
    from click.testing import CliRunner

    from streams.cli import cli

    result = CliRunner().invoke(cli, ["schemas", "--export", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    listed = {row["name"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert sorted(listed) == sorted(f"geotension.{name}" for name in VECTORS)
    for name, vector in VECTORS.items():
        assert listed[f"geotension.{name}"]["canonical_form"] == vector["canonical_form"]
        # One file alone, parsed by fastavro with nothing else loaded, gives the specification's fingerprint.
        parsed = fastavro.parse_schema(json.loads((tmp_path / f"geotension.{name}.avsc").read_text(encoding="utf-8")))
        canonical = fastavro.schema.to_parsing_canonical_form(parsed)
        assert fastavro.schema.fingerprint(canonical, "CRC-64-AVRO") == vector["fingerprint"], name
