"""Field-by-field comparison of a record with another implementation's JSON form of it.

The JSON form (tools/avro/AvroInterop.java): timestamps as ISO-8601 instants, bytes as base64,
everything else as itself.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any


def to_json_form(value: Any) -> Any:
    """A record as the Java program takes it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: to_json_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_form(v) for v in value]
    return value


def assert_same(expected: Any, actual: Any, path: str = "") -> None:
    """``actual`` (JSON form) says the same as ``expected`` (a record), field by field."""
    where = path or "record"
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not a record"
        assert sorted(actual) == sorted(expected), f"{where}: fields {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            assert_same(value, actual[key], f"{path}.{key}" if path else key)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_same(e, a, f"{where}[{i}]")
    elif isinstance(expected, datetime):
        assert isinstance(actual, str), f"{where}: {actual!r} is not an instant"
        assert datetime.fromisoformat(actual) == expected, f"{where}: {actual} != {expected.isoformat()}"
    elif isinstance(expected, bytes):
        assert base64.b64decode(actual) == expected, f"{where}: {actual!r} != {expected!r}"
    elif isinstance(expected, bool) or expected is None:
        assert actual is expected, f"{where}: {actual!r} != {expected!r}"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{where}: {actual!r} != {expected!r}"
