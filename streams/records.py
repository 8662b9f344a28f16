"""Records as plain dicts with the schemas' field names, and their JSON renderings.

In memory a record is a ``dict`` whose timestamps are UTC ``datetime`` objects (what the Avro
codec reads and writes). In JSON, timestamps are ISO 8601 strings ending in ``Z`` and bytes
are base64. These helpers are the only place where the two renderings meet.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from streams.codec import MAGIC, SchemaRegistry
from streams.errors import SchemaError

NEWS_TIMESTAMPS = ("published_at", "ingested_at")
EVENT_TIMESTAMPS = ("event_time",)
MAX_JSON_DEPTH = 32


def utc(dt: datetime) -> datetime:
    """The same instant as a datetime with ``UTC`` tzinfo (naive input is taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_time(value: Any, field: str = "time") -> datetime:
    """ISO 8601 text (``Z`` or offset; date-only means midnight UTC) or epoch millis → UTC datetime."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, bool):
        raise SchemaError(f"`{field}`: expected an ISO 8601 time, got {value!r}")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise SchemaError(f"`{field}`: epoch millis out of range: {value!r}") from exc
    if not isinstance(value, str) or not value.strip():
        raise SchemaError(f"`{field}`: expected an ISO 8601 time, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SchemaError(f"`{field}`: not an ISO 8601 time: {value[:60]!r}") from None
    return utc(parsed)


def format_time(dt: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` suffix and no sub-second part unless there is one."""
    dt = utc(dt)
    text = dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def to_jsonable(value: Any) -> Any:
    """Deep copy of a record with datetimes as ISO text and bytes as base64."""
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def dumps(record: Mapping[str, Any]) -> str:
    """One JSON line for a record (keys in schema order, UTF-8 kept as is)."""
    return json.dumps(to_jsonable(record), ensure_ascii=False, separators=(",", ":"))


def stable_article_id(url: str | None, source: str | None, title: str, published_at: datetime | None) -> str:
    """Hash of the canonical URL, else of source + title + published_at (16 hex chars)."""
    if url:
        basis = "url:" + canonical_url(url)
    else:
        stamp = format_time(published_at) if published_at else ""
        basis = f"text:{source or ''}\x1f{title}\x1f{stamp}"
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def article_from_mapping(obj: Any, ingested_at: datetime | None = None) -> dict[str, Any]:
    """Validate a NewsArticle-shaped mapping (JSON or Avro) into a NewsArticle record.

    A missing or null ``title`` is the empty string: real pages often come without a headline,
    and such an article is coded from its body. An article with neither a title nor a body has
    nothing to code and is refused. ``id`` is derived when absent; unknown keys are ignored.
    """
    if not isinstance(obj, Mapping):
        raise SchemaError(f"article must be a JSON object, got {type(obj).__name__}")
    title = obj.get("title")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise SchemaError("`title` must be a string or null")
    body = obj.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise SchemaError("`body` must be a string")
    if not title.strip() and not body.strip():
        raise SchemaError("article has neither `title` nor `body`")
    fields: dict[str, str | None] = {}
    for key in ("source", "url", "language"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise SchemaError(f"`{key}` must be a string or null")
        fields[key] = value or None
    published = obj.get("published_at")
    published_at = parse_time(published, "published_at") if published not in (None, "") else None
    ingested = obj.get("ingested_at")
    ingested_at = parse_time(ingested, "ingested_at") if ingested not in (None, "") else ingested_at
    article_id = obj.get("id")
    if article_id is None or article_id == "":
        article_id = stable_article_id(fields["url"], fields["source"], title, published_at)
    elif not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
        raise SchemaError("`id` must be a string")
    return {
        "id": str(article_id),
        "source": fields["source"],
        "url": fields["url"],
        "title": title,
        "body": body,
        "language": fields["language"],
        "published_at": published_at,
        "ingested_at": ingested_at,
    }


def article_from_json_text(text: str | bytes) -> dict[str, Any]:
    """Parse one JSON article (UTF-8), rejecting invalid UTF-8 and absurd nesting."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(f"article JSON is not valid UTF-8 (byte {exc.start})") from None
    try:
        obj = json.loads(text)
    except RecursionError:
        raise SchemaError(f"article JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise SchemaError(f"article is not valid JSON: {exc}") from None
    if _depth(obj, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise SchemaError(f"article JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return article_from_mapping(obj)


def decode_article(value: bytes | None, registry: SchemaRegistry) -> dict[str, Any]:
    """A news.raw value → NewsArticle record: Avro single-object or UTF-8 JSON, by its first bytes."""
    if not value:
        raise SchemaError("empty value (expected a NewsArticle)")
    if value[:2] == MAGIC:
        _, record = registry.decode(value, expect="NewsArticle")
        return article_from_mapping(record)
    if value.lstrip()[:1] == b"{":
        return article_from_json_text(value)
    raise SchemaError("value is neither Avro single-object encoding nor a JSON object")


def event_from_mapping(obj: Any) -> dict[str, Any]:
    """A TaggedEvent from its JSON rendering (timestamps as ISO text), lightly validated."""
    if not isinstance(obj, Mapping):
        raise SchemaError(f"event must be a JSON object, got {type(obj).__name__}")
    record = dict(obj)
    for key in ("event_id", "cameo_code", "source", "target", "event_time"):
        if key not in record or record[key] is None:
            raise SchemaError(f"event is missing `{key}`")
    record["event_time"] = parse_time(record["event_time"], "event_time")
    for side in ("source", "target"):
        if not isinstance(record[side], Mapping):
            raise SchemaError(f"`{side}` must be an object")
    record["cameo_code"] = str(record["cameo_code"])
    return record
