"""Fingerprints follow the specification's Parsing Canonical Form; the 0.1.x ones are still read.

The expected values in tests/data/avro/fingerprints.json were computed by Apache Avro Java
(test_java.py recomputes them); here our codec and an implementation written from the
specification (spec_avro.py) must both give them, and the README's table must list them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from streams.codec import MAGIC, default_registry
from streams.errors import SchemaError
from tests.interop.samples import SAMPLES
from tests.interop.spec_avro import Schemas, crc64_avro

REPO = Path(__file__).resolve().parents[2]
VECTORS = json.loads((REPO / "tests" / "data" / "avro" / "fingerprints.json").read_text(encoding="utf-8"))["schemas"]


def test_every_schema_file_has_checked_in_values() -> None:
    assert sorted(p.stem for p in (REPO / "schemas").glob("*.avsc")) == sorted(VECTORS)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_codec_gives_the_specifications_canonical_form_and_fingerprint(name: str) -> None:
    schema = default_registry().schema(name)
    assert schema.canonical_form == VECTORS[name]["canonical_form"]
    assert schema.fingerprint.hex() == VECTORS[name]["fingerprint"]
    assert schema.legacy_fingerprint.hex() == VECTORS[name]["legacy_fingerprint"]


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_spec_implementation_agrees(name: str) -> None:
    canonical = Schemas(REPO / "schemas").canonical_form(name)
    assert canonical == VECTORS[name]["canonical_form"]
    assert crc64_avro(canonical.encode("utf-8")).hex() == VECTORS[name]["fingerprint"]


def test_crc64_avro_of_avro_s_own_test_vector() -> None:
    # share/test/data/schema-tests.txt in Apache Avro: "int" has the fingerprint 8247732601305521295
    # (a Java long); the single-object header holds it little-endian.
    assert int.from_bytes(crc64_avro(b'"int"'), "little") == 8247732601305521295


@pytest.mark.parametrize(("name", "record"), SAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SAMPLES)])
def test_records_with_a_legacy_fingerprint_are_still_read(name: str, record: dict) -> None:
    reg = default_registry()
    legacy = MAGIC + bytes.fromhex(VECTORS[name]["legacy_fingerprint"]) + reg.encode(name, record)[10:]
    assert reg.decode(legacy) == (name, record)
    assert reg.decode(legacy, expect=name) == (name, record)


def test_a_legacy_fingerprint_still_names_its_schema() -> None:
    legacy = MAGIC + bytes.fromhex(VECTORS["TaggedEvent"]["legacy_fingerprint"]) + b"\x00"
    with pytest.raises(SchemaError, match="expected a `NewsArticle` record, got `TaggedEvent`"):
        default_registry().decode(legacy, expect="NewsArticle")


def test_writers_use_only_the_new_fingerprints() -> None:
    reg = default_registry()
    for name, record in SAMPLES:
        assert reg.encode(name, record)[2:10].hex() == VECTORS[name]["fingerprint"]


def test_readme_lists_every_old_and_new_fingerprint() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `schemas/\w+\.avsc` \| `([0-9a-f]{16})` \| `([0-9a-f]{16})` \|", readme, re.M)
    assert {name: (new, old) for name, new, old in rows} == {
        name: (v["fingerprint"], v["legacy_fingerprint"]) for name, v in VECTORS.items()
    }
