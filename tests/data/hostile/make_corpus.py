"""The hostile-input corpus for news.raw: what a noisy feed or an attacker may put on the topic.

    python tests/data/hostile/make_corpus.py      # rewrites the small cases and manifest.json

Each case is a Kafka record value (bytes) with the outcome the pipeline owes it:

* ``processed``          decoded and tagged (events, or none when nothing is coded);
* ``dead:<ErrorType>``   dead-lettered by the tag agent with that error type and a reason
                         containing ``reason``.

The small cases are committed as ``<name>.bin`` with ``manifest.json`` (so a reader can look
at the bytes); the large ones (10 MB bodies, a 100,000-character token, deeply nested JSON,
a flood of duplicates) are built by :func:`large_cases` when a test runs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))  # the repository, when run as a script

from streams.codec import default_registry  # noqa: E402
from streams.records import article_from_mapping  # noqa: E402

#: A story the tagger codes (Albania expels Iran's diplomats): used as the payload inside
#: hostile wrappers, so a case that is accepted must also yield the same events as clean text.
STORY = {
    "source": "hostile-wire",
    "url": "https://example.org/hostile",
    "title": "Albania expels Iranian diplomats over cyberattack",
    "body": "Albania on Wednesday expelled Iran's ambassador and all embassy staff, "
            "blaming Iran for the July cyberattack on government servers.",
    "language": "en",
    "published_at": "2022-09-07T09:00:00Z",
}

MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One hostile record: its name, value bytes and the outcome it must get."""

    name: str
    value: bytes
    expect: str  # "processed" or "dead:<ErrorType>"
    reason: str = ""  # a substring of the dead letter's reason
    why: str = ""


def story(name: str, **fields: Any) -> dict[str, Any]:
    return {**STORY, "id": f"hostile-{name}", **fields}


def as_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def small_cases() -> list[Case]:
    """Cases of at most a few kilobytes, committed beside this script."""
    reg = default_registry()
    avro_ok = reg.encode("NewsArticle", article_from_mapping(story("avro")))
    event_like = reg.encode("Actor", {"code": "ALB", "name": "Albania", "country": "ALB", "role": "GOV"})
    unknown_fp = avro_ok[:2] + bytes.fromhex("0123456789abcdef") + avro_ok[10:]
    # A string whose declared length (zig-zag varint) is 2^40 bytes, with 3 bytes behind it.
    huge_length = avro_ok[:10] + _zigzag(1 << 40) + b"abc"
    return [
        Case("json-malformed", b'{"title": "Albania expels", "body": ', "dead:SchemaError", "not valid JSON"),
        Case("json-array", b'["Albania", "Iran"]', "dead:SchemaError", "neither Avro single-object encoding nor a JSON object"),
        Case("json-no-title", as_json({"id": "x", "source": "wire"}), "dead:SchemaError", "neither `title` nor `body`"),
        Case("json-title-number", as_json({"title": 42}), "dead:SchemaError", "`title` must be a string"),
        Case("json-body-object", as_json(story("body-object", body={"text": "x"})), "dead:SchemaError",
             "`body` must be a string"),
        Case("json-raw-nul", b'{"title": "Albania\x00expels"}', "dead:SchemaError", "not valid JSON"),
        Case("empty", b"", "dead:SchemaError", "empty value"),
        Case("whitespace", b"   \n ", "dead:SchemaError", "neither Avro"),
        Case("invalid-utf8", b'{"title": "Albania \xff\xfe expels", "body": ""}', "dead:SchemaError", "not valid UTF-8"),
        Case("overlong-utf8", b'{"title": "\xc0\xaf"}', "dead:SchemaError", "not valid UTF-8"),
        Case("surrogate-escape", b'{"title": "\\ud800 Albania", "published_at": "2022-09-07T09:00:00Z"}',
             "processed", why="a lone surrogate escape is valid JSON; the tagger treats it as a letter"),
        Case("avro-unknown-fingerprint", unknown_fp, "dead:SchemaError", "unknown schema fingerprint 0123456789abcdef"),
        Case("avro-header-only", avro_ok[:2], "dead:SchemaError", "missing C3 01 marker or header"),
        Case("avro-truncated", avro_ok[: len(avro_ok) // 2], "dead:SchemaError", "`NewsArticle` body is truncated or malformed"),
        Case("avro-trailing-bytes", avro_ok + b"\x00\x01", "dead:SchemaError", "`NewsArticle` body has 2 trailing bytes"),
        Case("avro-huge-length", huge_length, "dead:SchemaError", "`NewsArticle` body is truncated or malformed"),
        Case("avro-other-schema", event_like, "dead:SchemaError", "expected a `NewsArticle` record, got `Actor`"),
        Case("avro-valid", avro_ok, "processed"),
        Case("nul-escaped", as_json(story("nul", title="Albania\u0000expels Iranian\u0000diplomats",
                                          body=STORY["body"].replace(" ", "\u0000", 3))), "processed"),
        Case("bidi-override", as_json(story("bidi", title="\u202eAlbania expels Iranian diplomats\u202c",
                                            body="\u2067Albania\u2069 on Wednesday \u202dexpelled\u202c Iran's "
                                                 "ambassador, blaming Iran for the cyberattack.")), "processed"),
        Case("html-script", as_json(story("html", title="<script>alert('x')</script>Albania expels Iranian diplomats",
                                          body="<p onclick=\"steal()\">Albania on Wednesday <b>expelled</b> Iran's "
                                               "ambassador</p><img src=x onerror=alert(1)><a href=\"javascript:"
                                               "alert(1)\">more</a>")), "processed"),
        Case("unknown-language", as_json(story("lang", language="tlh-Klingon")), "processed"),
        Case("language-garbage", as_json(story("lang2", language="\u0000" * 3 + "<x>")), "processed"),
        Case("future-9999", as_json(story("future", published_at="9999-12-31T23:59:59Z")), "dead:SchemaError",
             "`published_at` 9999-12-31T23:59:59Z is later than"),
        Case("future-next-year", as_json(story("future2", published_at="2100-01-01T00:00:00Z")), "dead:SchemaError",
             "`published_at` 2100-01-01T00:00:00Z is later than"),
        Case("past-year-1", as_json(story("past", published_at="0001-01-01T00:00:00Z")), "dead:SchemaError",
             "`published_at` 0001-01-01T00:00:00Z is earlier than 1979-01-01"),
        Case("year-10000", as_json(story("y10k", published_at="10000-01-01T00:00:00Z")), "dead:SchemaError",
             "published_at"),
        Case("timestamp-number", as_json(story("tsnum", published_at=1e300)), "dead:SchemaError", "published_at"),
        Case("date-only", as_json(story("dateonly", published_at="2022-09-07")), "processed"),
    ]


def large_cases() -> list[Case]:
    """Cases too large to commit, built at test time."""
    sentence = "Albania on Wednesday expelled Iran's ambassador, blaming Iran for the cyberattack. "
    big_body = sentence * (10 * MB // len(sentence))
    return [
        Case("body-10mb", as_json(story("10mb", body=big_body)), "processed",
             why="accepted on a topic with max.message.bytes above it; the tagger reads the first max_body_chars"),
        Case("garbage-10mb", b"\xff" * (10 * MB), "dead:SchemaError", "neither Avro",
             why="the dead letter keeps a bounded prefix of the value, not 10 MB"),
        Case("token-100k", as_json(story("token", title="x" * 100_000 + " Albania expels Iranian diplomats")),
             "processed"),
        Case("token-100k-body", as_json(story("token-body", body="Iran" * 25_000 + " " + STORY["body"])), "processed"),
        Case("deep-json", b'{"title": "t", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "dead:SchemaError",
             "nested deeper than"),
        Case("deep-json-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "dead:SchemaError", "nested deeper than"),
    ]


def duplicate_flood(copies: int = 2000) -> list[Case]:
    """The same article ``copies`` times: processed each time, counted once by the indicators."""
    value = as_json(story("dup"))
    return [Case(f"dup-{i:05d}", value, "processed") for i in range(copies)]


def _zigzag(n: int) -> bytes:
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def load_small() -> list[Case]:
    """The committed small cases, read back from ``manifest.json`` and the ``.bin`` files."""
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    return [Case(m["name"], (HERE / f"{m['name']}.bin").read_bytes(), m["expect"], m["reason"], m["why"])
            for m in manifest]


def main() -> None:
    cases = small_cases()
    for case in cases:
        (HERE / f"{case.name}.bin").write_bytes(case.value)
    manifest = [{"name": c.name, "expect": c.expect, "reason": c.reason, "why": c.why} for c in cases]
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {HERE.name}/", file=sys.stderr)


if __name__ == "__main__":
    main()
