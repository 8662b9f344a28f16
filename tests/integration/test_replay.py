"""``geotension replay`` / ``replay-topic`` / ``rewind`` against the real broker.

What was produced is read back with a plain kafka-python consumer and decoded with nothing but
``schemas/`` (tests/integration/independent.py); expected records come from the source files.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from streams.cli import cli
from streams.demo import worker_env
from streams.lag import group_lag, read_all, wait_caught_up
from streams.pacing import Pace, schedule
from streams.records import article_from_mapping
from streams.settings import Settings
from streams.sources.avro_files import write_avro
from streams.sources.feeds import read_feed_file
from streams.tagging import Tagger
from tests.integration.independent import decode

pytestmark = [pytest.mark.broker]

DATA = Path(__file__).resolve().parents[1] / "data"
T0 = datetime(2022, 9, 7, 8, 0, tzinfo=UTC)


def articles(n: int = 5, step: timedelta = timedelta(minutes=1)) -> list[dict[str, Any]]:
    """Articles ``step`` apart in event time, the third without a URL (id from the text)."""
    out = []
    for i in range(n):
        out.append({
            "id": None if i == 2 else f"replay-{i}",
            "source": "wire",
            "url": None if i == 2 else f"https://example.org/replay/{i}",
            "title": f"Albania and Iran, report {i}",
            "body": f"Report number {i} about Tirana and Tehran.",
            "language": "en",
            "published_at": (T0 + i * step).isoformat(),
        })
    return out


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def run(settings: Settings, *args: str, bootstrap: str | None = None) -> Result:
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("GEOTENSION_")}
    if bootstrap:
        env["GEOTENSION_BOOTSTRAP"] = bootstrap
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def read_topic(settings: Settings, topic: str) -> list[Any]:
    return sorted(read_all(settings, topic), key=lambda m: (m.timestamp, m.key or b""))


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def decoded_articles(messages: list[Any]) -> list[tuple[bytes, int, dict[str, Any]]]:
    out = []
    for m in messages:
        name, record = decode(m.value)
        assert name == "NewsArticle"
        out.append((m.key, m.timestamp, record))
    return out


def expected_articles(records: list[dict[str, Any]]) -> list[tuple[bytes, int, dict[str, Any]]]:
    return sorted(((r["id"].encode(), ms(r["published_at"]), r) for r in records), key=lambda e: (e[1], e[0]))


def test_jsonl_and_avro_container_round_trip(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    records = [article_from_mapping(a) for a in articles(4)]
    jsonl = write_jsonl(tmp_path / "a.jsonl", articles(4))
    result = run(settings, "replay", str(jsonl), "--silent")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 4, skipped 0, invalid 0 of 4 read")
    assert decoded_articles(read_topic(settings, settings.topic("news_raw"))) == expected_articles(records)

    other = make_settings()
    container = tmp_path / "a.avro"
    write_avro(container, records)
    result = run(other, "replay", str(container), "--silent")
    assert result.exit_code == 0, result.output
    assert decoded_articles(read_topic(other, other.topic("news_raw"))) == expected_articles(records)


def test_gdelt_plain_and_zipped_round_trip(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    source = DATA / "gdelt" / "gdelt2_alb_irn_isr.export.tsv"
    lines = source.read_bytes().splitlines()
    expected = sorted(
        ((line.split(b"\t")[0], ms(datetime.strptime(line.split(b"\t")[1].decode(), "%Y%m%d").replace(tzinfo=UTC)), line)
         for line in lines), key=lambda e: (e[1], e[0]))
    zipped = tmp_path / "20170701000000.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, "20170701000000.export.CSV")
    for path in (source, zipped):
        settings = make_settings()
        result = run(settings, "replay", str(path), "--silent")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("sent 65, skipped 0, invalid 0 of 65 read")
        got = [(m.key, m.timestamp, m.value) for m in read_topic(settings, settings.topic("gdelt_raw"))]
        assert got == expected
        assert read_topic(settings, settings.topic("news_raw")) == []


def test_rss_and_atom_round_trip(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    rss = DATA / "feeds" / "bbc_news_world_2019-02-24.xml"
    atom = DATA / "feeds" / "atom_sample.xml"
    result = run(settings, "replay", str(rss), str(atom), "--silent")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 35, skipped 0, invalid 1 of 36 read")
    expected = [e.record for f in (rss, atom) for e in read_feed_file(f) if hasattr(e, "record")]
    assert len(expected) == 35
    got = decoded_articles(read_topic(settings, settings.topic("news_raw")))
    assert got == expected_articles(expected)  # type: ignore[arg-type]
    titles = {record["title"] for _, _, record in got}
    assert {"Pope Francis compares child sex abuse to human sacrifice",
            "Albania cuts diplomatic ties with Iran over cyberattack"} <= titles


def test_selection_limit_and_pacing_by_event_time(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    path = write_jsonl(tmp_path / "a.jsonl", articles(8))
    # 600×: the one-minute gaps become 0.1 s pauses; only the schedule is asserted, not the clock.
    result = run(settings, "replay", str(path), "--since", (T0 + timedelta(minutes=2)).isoformat(),
                 "--until", "2022-09-07T08:07:00Z", "--limit", "4", "--speed", "600", "--silent")
    assert result.exit_code == 0, result.output
    # Records 0 and 1 are before --since; 2..5 are sent; the limit stops before 6.
    assert result.stdout.startswith("sent 4, skipped 2, invalid 0 of 6 read")
    got = read_topic(settings, settings.topic("news_raw"))
    stamps = [m.timestamp for m in got]
    assert stamps == [ms(T0 + timedelta(minutes=i)) for i in range(2, 6)]
    assert list(schedule(stamps, Pace(speed=600))) == pytest.approx([0.0, 0.1, 0.2, 0.3])
    dry = run(settings, "replay", str(path), "--dry-run", "--rate", "1000", "--silent")
    assert dry.exit_code == 0 and dry.stdout.startswith("would send 8, skipped 0, invalid 0 of 8 read")
    assert len(read_topic(settings, settings.topic("news_raw"))) == 4


def test_bad_records_are_reported_and_strict_stops(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    good = articles(3)
    path = write_jsonl(tmp_path / "mixed.jsonl", [good[0], "{oops", {"source": "wire"}, good[1]])
    result = run(settings, "replay", str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}:2: not valid JSON" in result.stderr
    assert f"{path}:3: article has neither `title` nor `body`" in result.stderr
    assert result.stdout.startswith("sent 2, skipped 0, invalid 2 of 4 read")

    strict = make_settings()
    result = run(strict, "replay", str(path), "--strict", "--silent")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {path}:2: not valid JSON")
    assert len(result.stderr.strip().splitlines()) == 1
    # What came before the bad line was flushed.
    assert [m.key for m in read_topic(strict, strict.topic("news_raw"))] == [b"replay-0"]


def test_user_errors_are_one_line(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    path = write_jsonl(tmp_path / "a.jsonl", articles(1))
    cases = [
        (("replay", str(tmp_path / "missing.jsonl")), None, f"Error: {tmp_path / 'missing.jsonl'}: file not found"),
        (("replay", str(path), "--format", "gdelt", "--strict"), None, f"Error: {path}:1: GDELT row has 1 tab-separated columns"),
        (("replay", str(path), "--speed", "2", "--rate", "3"), None, "Error: --speed and --rate exclude each other"),
        (("replay", str(path), "--since", "last tuesday"), None, "Error: `--since`: not an ISO 8601 time"),
        (("replay", str(path)), "127.0.0.1:1", "Error: no Kafka broker answers at 127.0.0.1:1"),
        (("replay", str(path), "--topic", "t-no-such-topic-here"), None,
         f"Error: topic 't-no-such-topic-here' does not exist on {settings.kafka.bootstrap}"),
    ]
    for args, bootstrap, message in cases:
        result = run(settings, *args, "--silent", bootstrap=bootstrap)
        assert result.exit_code in (1, 2), (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), (args, result.stderr)
    (tmp_path / "odd.bin").write_bytes(b"\x00\x01binary")
    result = run(settings, "replay", str(tmp_path / "odd.bin"))
    assert result.exit_code == 1 and "odd.bin: unknown format" in result.stderr


def test_replay_topic_copies_a_time_range(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    path = write_jsonl(tmp_path / "a.jsonl", articles(6, step=timedelta(hours=1)))
    assert run(settings, "replay", str(path), "--silent").exit_code == 0
    news = settings.topic("news_raw")
    target = news + ".copy"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.create_topics([NewTopic(target, 3, 1)])
    finally:
        admin.close()
    result = run(settings, "replay-topic", "--topic", news, "--since", "2022-09-07T09:00:00Z",
                 "--until", "2022-09-07T12:00:00Z", "--to-topic", target, "--silent")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"copied 3 of 3 records in the range from {news} to {target}")
    original = {m.key: m for m in read_topic(settings, news)}
    copied = read_topic(settings, target)
    assert [m.timestamp for m in copied] == [ms(T0 + timedelta(hours=h)) for h in (1, 2, 3)]
    for m in copied:
        source = original[m.key]
        assert (m.value, m.timestamp, m.partition) == (source.value, source.timestamp, source.partition)
    # Into the same topic: the range is appended once, and the copy terminates.
    result = run(settings, "replay-topic", "--topic", news, "--since", "2022-09-07T12:00:00Z", "--silent")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"copied 2 of 2 records in the range from {news} to {news}")
    assert len(read_topic(settings, news)) == 8


@pytest.mark.slow
def test_rewind_makes_the_worker_recompute(make_settings: Callable[..., Settings],
                                           worker_factory: Callable[[Settings], Any], tmp_path: Path) -> None:
    settings = make_settings()
    path = tmp_path / "two.jsonl"
    write_jsonl(path, [
        {"id": "rw-1", "source": "wire", "url": "https://example.org/rw1", "language": "en",
         "title": "Albania expels Iranian diplomats over cyberattack",
         "body": "Albania on Wednesday expelled Iran's ambassador and all embassy staff, blaming Iran for the July "
                 "cyberattack on government servers.", "published_at": "2022-09-07T09:00:00Z"},
        {"id": "rw-2", "source": "wire", "url": "https://example.org/rw2", "language": "en",
         "title": "Israel and Albania sign cybersecurity cooperation agreement",
         "body": "Israel and Albania signed an agreement on cybersecurity cooperation in Tirana.",
         "published_at": "2022-09-20T08:00:00Z"},
    ])
    assert run(settings, "replay", str(path), "--silent").exit_code == 0
    topics = [settings.topic("news_raw"), settings.topic("events")]
    worker = worker_factory(settings)
    assert wait_caught_up(settings, settings.app.id, topics, 240.0), "worker did not catch up"
    first = read_topic(settings, settings.topic("events"))
    tagger = Tagger.from_settings(settings)
    expected = sum(len(tagger.tag(article_from_mapping(json.loads(line)))) for line in path.read_text().splitlines())
    assert expected >= 2 and len(first) == expected
    first_ids = sorted(decode(m.value)[1]["event_id"] for m in first)

    refused = run(settings, "rewind", "--group", settings.app.id, "--topic", "news_raw", "--to", "earliest")
    assert refused.exit_code == 1
    assert refused.stderr.strip().startswith(f"Error: group '{settings.app.id}' has 1 active member(s)")
    assert len(refused.stderr.strip().splitlines()) == 1

    from streams.demo import stop_worker

    stop_worker(worker, timeout_s=30.0)
    result = run(settings, "rewind", "--group", settings.app.id, "--topic", "news_raw", "--to", "2022-09-01")
    assert result.exit_code == 0, result.output
    moved = [line for line in result.stdout.splitlines() if "->" in line]
    assert len(moved) == settings.topic_spec("news_raw").partitions
    assert result.stdout.splitlines()[-1] == (f"rewound group {settings.app.id} on {len(moved)} partition(s) "
                                              "to 2022-09-01T00:00:00Z")

    # Both articles are behind the group again, and still on the broker to be re-read.
    assert group_lag(settings, settings.app.id, [settings.topic("news_raw")]) == 2, result.stdout
    worker_factory(settings)
    assert wait_caught_up(settings, settings.app.id, topics, 240.0), "restarted worker did not catch up"
    again = read_topic(settings, settings.topic("events"))
    dead = read_topic(settings, settings.topic("deadletter"))
    assert len(again) == 2 * len(first), f"{len(dead)} dead letter(s): {[decode(m.value)[1]['reason'] for m in dead]}"
    assert sorted(decode(m.value)[1]["event_id"] for m in again) == sorted(first_ids * 2)


def test_an_article_larger_than_the_topic_limit_is_cut_to_fit_and_the_rest_goes_on(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    """A topic accepting 20 000-byte batches; a 60 000-byte body among 200 small articles."""
    settings = make_settings()
    topic = settings.topic("news_raw") + ".small"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "20000"})])
    finally:
        admin.close()
    rows = articles(200)
    # Persian words, two bytes a letter: the cut must fall between characters.
    huge = " ".join(["\u062a\u0647\u0631\u0627\u0646 \u0648 \u062a\u06cc\u0631\u0627\u0646\u0627"] * 3000)
    rows[7] = {**rows[7], "body": huge}
    source = write_jsonl(tmp_path / "big.jsonl", rows)
    original = len(huge.encode("utf-8"))

    dry = run(settings, "replay", str(source), "--topic", topic, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("would send 200 (1 cut to fit), skipped 0, invalid 0 of 200 read")
    assert [line for line in dry.stderr.splitlines() if "cut" in line] == [
        line for line in dry.stderr.splitlines() if line.startswith(f"{source}:8: body cut from {original:,} to ")]
    assert f"to fit max.message.bytes=20,000 of {topic}" in dry.stderr

    result = run(settings, "replay", str(source), "--topic", topic)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 200 (1 cut to fit), skipped 0, invalid 0 of 200 read")
    got = {m.key: m for m in read_all(settings, topic)}
    assert len(got) == 200
    cut = got[b"replay-7"]
    name, record = decode(cut.value)
    assert name == "NewsArticle"
    assert dict(cut.headers) == {"geotension.truncated": str(original).encode()}
    assert huge.startswith(record["body"]) and 19_000 < len(cut.value) <= 20_000
    assert f"{source}:8: body cut from {original:,} to {len(record['body'].encode('utf-8')):,} bytes" in result.stderr
    expected = {r["id"].encode(): r for r in (article_from_mapping(a) for a in rows) if r["id"] != "replay-7"}
    for key, record_expected in expected.items():
        assert decode(got[key].value)[1] == record_expected and not got[key].headers
