"""Recompute tests/data/avro/fingerprints.json with Apache Avro Java, and the README's table.

Run after changing a schema: ``.venv/bin/python -m tests.interop.regenerate``. The canonical
forms and fingerprints come from Java (tools/avro/AvroInterop.java); the 0.1.x fingerprints
from streams/schemas_0_1.json (frozen: what 0.1.x wrote). Review the diff: a changed
fingerprint means readers of older records need the old schema to read them.
"""

from __future__ import annotations

import json
import re

from streams.avro_schemas import load_legacy
from tests.interop.java import REPO, interop

VECTORS = REPO / "tests" / "data" / "avro" / "fingerprints.json"
README = REPO / "README.md"
ROW = re.compile(r"^\| `\w+` \| `schemas/\w+\.avsc` \| `[0-9a-f]{16}` \| `(?:[0-9a-f]{16}|-)` \|\n", re.M)


def main() -> None:
    document = json.loads(VECTORS.read_text(encoding="utf-8"))
    legacy = {name: old.fingerprint.hex() for name, old in load_legacy().items()}
    java = {line["name"]: line for line in interop("fingerprints", []) if isinstance(line, dict)}
    document["schemas"] = {
        name: {"file": f"schemas/{name}.avsc", "fingerprint": line["fingerprint"],
               "legacy_fingerprint": legacy.get(name, "-"), "canonical_form": line["canonical_form"]}
        for name, line in sorted(java.items())
    }
    VECTORS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = "".join(f"| `{n}` | `{v['file']}` | `{v['fingerprint']}` | `{v['legacy_fingerprint']}` |\n"
                   for n, v in document["schemas"].items())
    readme = README.read_text(encoding="utf-8")
    first = ROW.search(readme)
    assert first is not None, "the fingerprint table is missing from README.md"
    rest = ROW.sub("", readme[first.start():])
    README.write_text(readme[:first.start()] + rows + rest, encoding="utf-8")
    print(f"wrote {VECTORS.relative_to(REPO)} and the README's table ({len(java)} schemas)")


if __name__ == "__main__":
    main()
