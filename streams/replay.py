"""Producing to Kafka at a controlled pace: file replays, topic-range copies, group rewinds.

    replay(settings, read_inputs(names, "auto"), options)   files/URLs → news.raw / gdelt.raw
    copy_range(settings, topic, since, until, to_topic, …)   a time range of a topic, re-fed
    rewind_group(settings, group, to)                        committed offsets back to a time

Keys and record timestamps are stable (article id or GLOBALEVENTID; the event time), so
replaying the same file twice gives consumers records they can deduplicate. Readers live in
:mod:`streams.sources` (pure); the schedule in :mod:`streams.pacing` (pure); this module is
the kafka-python side.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from streams.codec import default_registry
from streams.errors import InputError, ReplayError, TensionError
from streams.files import STDIN_LABEL, is_dash, sniff_stdin
from streams.kafka_clients import admin_client, consumer, producer
from streams.pacing import Pace, Pacer
from streams.settings import Settings
from streams.sources import Bad, Item
from streams.sources.detect import FORMATS, detect_format, is_url

#: Producer settings for bulk replays: bigger batches and a short linger give several times
#: the throughput of the defaults on one broker; acks=all and idempotence stay on.
BULK_PRODUCER = {"linger_ms": 20, "batch_size": 512 * 1024}
#: The largest request kafka-python sends (its ``max_request_size`` default), and Kafka's
#: default ``max.message.bytes``: the limits when a topic's own cannot be read (``--dry-run``
#: without a broker).
PRODUCER_MAX_REQUEST = 1_048_576
KAFKA_DEFAULT_MAX_MESSAGE = 1_048_588
#: What a record batch adds around one value: the batch header (61 bytes), the record's
#: framing varints and timestamp delta (at most 21) and a margin for the header below.
RECORD_OVERHEAD = 128
#: Header on an article whose body was cut to fit the topic: the original body's size in
#: UTF-8 bytes, as ASCII digits. Consumers see that the text is incomplete and by how much.
TRUNCATED_HEADER = "geotension.truncated"


@dataclass(frozen=True)
class Fitted:
    """An encoded article that fits its topic: ``cut_from`` is the original body size when it was cut."""

    value: bytes
    headers: list[tuple[str, bytes]]
    cut_from: int | None = None
    cut_to: int | None = None


def fit_article(record: dict[str, Any], encode: Callable[[dict[str, Any]], bytes], limit: int,
                key: bytes = b"") -> Fitted:
    """Encode ``record``, cutting its body (at a character boundary) until the record fits ``limit`` bytes.

    ``limit`` is the topic's ``max.message.bytes`` (a record batch holding this one record
    must fit). ReplayError when even an empty body does not fit (a title of megabytes).
    """
    value = encode(record)
    room = limit - RECORD_OVERHEAD - len(key)
    if len(value) <= room:
        return Fitted(value, [])
    body = str(record.get("body") or "").encode("utf-8")
    keep = len(body) - (len(value) - room)
    while True:
        cut = body[:max(keep, 0)].decode("utf-8", "ignore")
        value = encode({**record, "body": cut})
        if len(value) <= room:
            size = str(len(body)).encode("ascii")
            return Fitted(value, [(TRUNCATED_HEADER, size)], len(body), len(cut.encode("utf-8")))
        if keep <= 0:
            raise ReplayError(f"record of {len(value)} bytes does not fit max.message.bytes={limit} "
                              "even without its body")
        keep -= len(value) - room


# ----------------------------------------------------------------------------- inputs


def read_input(name: str, fmt: str = "auto", fetch_timeout_s: float = 20.0) -> Iterator[Item | Bad]:
    """Items of one file or URL in ``fmt`` (``auto`` decides by extension and content)."""
    from streams.sources.avro_files import read_avro
    from streams.sources.feeds import parse_feed, read_feed_file
    from streams.sources.gdelt import read_gdelt
    from streams.sources.jsonl import read_jsonl

    if fmt not in ("auto", *FORMATS):
        raise InputError(f"unknown format {fmt!r} (known: auto, {', '.join(FORMATS)})")
    if is_dash(name):
        yield from read_stdin(fmt)
        return
    kind = detect_format(name) if fmt == "auto" else fmt
    if is_url(name):
        if kind != "rss":
            raise InputError(f"{name}: only feeds (rss/atom) can be read from a URL")
        from streams.sources.feed_poll import FeedStatus, FetchError, fetch

        try:
            fetched = fetch(name, FeedStatus(), timeout_s=fetch_timeout_s)
        except FetchError as exc:
            raise InputError(f"{name}: {exc}") from None
        yield from parse_feed(fetched.body or b"", name).entries
        return
    path = Path(name)
    if not path.exists():
        raise InputError(f"{name}: file not found")
    readers: dict[str, Callable[[Path], Iterator[Item | Bad]]] = {
        "jsonl": read_jsonl, "avro": read_avro, "gdelt": read_gdelt, "rss": read_feed_file,
    }
    yield from readers[kind](path)


def read_stdin(fmt: str = "auto") -> Iterator[Item | Bad]:
    """Items read from standard input (``-``), in ``fmt`` or in the format its first bytes show."""
    from streams.sources.avro_files import read_avro_stream
    from streams.sources.detect import detect_content
    from streams.sources.feed_poll import MAX_FEED_BYTES
    from streams.sources.feeds import parse_feed
    from streams.sources.gdelt import read_gdelt_stream
    from streams.sources.jsonl import read_jsonl_stream

    head, stream = sniff_stdin()
    if not head:
        return
    kind = detect_content(head, STDIN_LABEL) if fmt == "auto" else fmt
    if kind == "rss":
        yield from parse_feed(stream.read(MAX_FEED_BYTES), STDIN_LABEL).entries
        return
    readers: dict[str, Callable[[IO[bytes], str], Iterator[Item | Bad]]] = {
        "jsonl": read_jsonl_stream, "avro": read_avro_stream, "gdelt": read_gdelt_stream,
    }
    yield from readers[kind](stream, STDIN_LABEL)


def read_inputs(names: Iterable[str], fmt: str = "auto") -> Iterator[Item | Bad]:
    """Items of several inputs, one after the other (each checked when its turn comes)."""
    for name in names:
        yield from read_input(name, fmt)


def count_lines(names: Iterable[str]) -> int | None:
    """Lines in plain-text inputs (the progress bar's total), None when one is not plain text."""
    total = 0
    for name in names:
        path = Path(name)
        if is_dash(name) or is_url(name) or not path.is_file() or path.suffix.lower() in (".gz", ".zip", ".avro", ".xml", ".rss", ".atom"):
            return None
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                total += block.count(b"\n")
    return total


# ----------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """Which records to send: event time in [since, until), at most ``limit``."""

    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until <= self.since:
            raise InputError("--until must be later than --since")
        if self.limit is not None and self.limit < 0:
            raise InputError("--limit must be >= 0")

    def wants(self, event_time: datetime | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if event_time is None:
            return False  # a time range cannot include a record without a time
        if self.since is not None and event_time < self.since:
            return False
        return not (self.until is not None and event_time >= self.until)


@dataclass
class Stats:
    """Counts of a replay; ``invalid`` lists the first problems as ``file:line: reason``."""

    read: int = 0
    sent: int = 0
    skipped: int = 0
    invalid: int = 0
    failed: int = 0
    bytes: int = 0
    truncated: int = 0
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    first_error: str | None = None

    @property
    def elapsed_s(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    def summary(self, dry_run: bool = False) -> str:
        verb = "would send" if dry_run else "sent"
        rate = self.sent / self.elapsed_s
        return (f"{verb} {self.sent}{f' ({self.truncated} cut to fit)' if self.truncated else ''}, "
                f"skipped {self.skipped}, invalid {self.invalid}"
                f"{f', failed {self.failed}' if self.failed else ''} of {self.read} read "
                f"in {self.elapsed_s:.1f}s ({rate:,.0f}/s)")


class StrictStop(ReplayError):
    """``--strict``: the first invalid record stops the replay (exit 2)."""


# ----------------------------------------------------------------------------- producing


def require_broker(settings: Settings, timeout_s: float = 5.0) -> None:
    """Fail in seconds, naming the address, when no broker answers (kafka-python waits 30 s).

    Only probed here on PLAINTEXT listeners (a TLS listener is named as such); TLS and SASL
    connections are checked by the client factories (streams.kafka_clients.check_connection).
    """
    from streams.broker import broker_answers, diagnose_connection
    from streams.errors import BrokerError

    if settings.kafka.security_protocol == "PLAINTEXT" and not any(
            broker_answers(address.strip(), timeout_s=timeout_s) for address in settings.kafka.bootstrap.split(",")):
        found = diagnose_connection(settings.kafka.bootstrap, None, timeout_s=timeout_s)
        if found is not None and found[0] == "mismatch":
            raise BrokerError(found[1])
        raise BrokerError(f"no Kafka broker answers at {settings.kafka.bootstrap}; "
                          "start one with `geotension broker start` or set GEOTENSION_BOOTSTRAP")


class Sink:
    """Where records go: a kafka-python producer, or nothing (``--dry-run``)."""

    def __init__(self, settings: Settings, dry_run: bool, stats: Stats) -> None:
        self.settings, self.dry_run, self.stats = settings, dry_run, stats
        if not dry_run:
            require_broker(settings)
        self.batch_size = int(BULK_PRODUCER["batch_size"])
        self.out: Any = None if dry_run else self._producer()
        self.checked: set[str] = set()
        #: Per topic, the largest record batch it accepts (max.message.bytes, capped by the producer's request size).
        self.limits: dict[str, int] = {}

    def _producer(self) -> Any:
        return producer(self.settings, max_block_ms=int(self.settings.kafka.request_timeout_s * 1000),
                        **{**BULK_PRODUCER, "batch_size": self.batch_size})

    def limit(self, topic: str) -> int:
        """Bytes one record batch to ``topic`` may have (read when the topic is checked)."""
        if topic not in self.limits:
            self.limits[topic] = self._read_limit(topic)
        return self.limits[topic]

    def _read_limit(self, topic: str) -> int:
        """The topic's max.message.bytes; Kafka's default when the broker cannot tell (dry runs need none)."""
        from kafka.admin import ConfigResource, ConfigResourceType
        from kafka.errors import KafkaError

        if self.dry_run:
            from streams.broker import broker_answers

            address = self.settings.kafka.bootstrap.split(",")[0].strip()
            if self.settings.kafka.security_protocol != "PLAINTEXT" or not broker_answers(address, timeout_s=2.0):
                return min(KAFKA_DEFAULT_MAX_MESSAGE, PRODUCER_MAX_REQUEST)
        try:
            admin = admin_client(self.settings)
        except TensionError:
            return min(KAFKA_DEFAULT_MAX_MESSAGE, PRODUCER_MAX_REQUEST)
        try:
            described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
            value = described.get("topic", {}).get(topic, {}).get("max.message.bytes", {}).get("value")
        except (KafkaError, AttributeError, TypeError):
            value = None
        finally:
            admin.close()
        try:
            found = int(value) if value is not None else KAFKA_DEFAULT_MAX_MESSAGE
        except ValueError:
            found = KAFKA_DEFAULT_MAX_MESSAGE
        return min(found, PRODUCER_MAX_REQUEST)

    def check_topic(self, topic: str) -> None:
        """Fail early, naming the topic, when it does not exist (pipeline topics are created).

        Also reads the topic's record size limit: when it is below the producer's batch size,
        the producer is made again with batches that fit (a full batch would be refused whole).
        """
        if topic in self.checked or self.dry_run:
            return
        admin = admin_client(self.settings)
        try:
            existing = set(admin.list_topics())
        finally:
            admin.close()
        if topic not in existing:
            pipeline_topics = {self.settings.topic(k) for k in ("news_raw", "gdelt_raw")}
            if topic in pipeline_topics:
                from streams.topics import ensure_topics

                ensure_topics(self.settings)
            else:
                raise ReplayError(f"topic {topic!r} does not exist on {self.settings.kafka.bootstrap}")
        self.checked.add(topic)
        fits = self.limit(topic) - RECORD_OVERHEAD
        if fits < self.batch_size:
            self.batch_size = max(fits, 1024)
            if self.out is not None:
                self.flush()
                self.out.close(timeout=5)
                self.out = self._producer()

    def fit(self, topic: str, key: bytes, record: dict[str, Any], encode: Callable[[dict[str, Any]], bytes]) -> Fitted:
        """``record`` encoded to fit ``topic`` (see :func:`fit_article`); counts a cut in the stats."""
        fitted = fit_article(record, encode, self.limit(topic), key)
        if fitted.cut_from is not None:
            self.stats.truncated += 1
        return fitted

    def _failed(self, exc: BaseException) -> None:
        self.stats.failed += 1
        if self.stats.first_error is None:
            self.stats.first_error = f"{type(exc).__name__}: {exc}"

    def send(self, topic: str, key: bytes | None, value: bytes | None, timestamp_ms: int | None,
             partition: int | None = None, headers: list[tuple[str, bytes]] | None = None) -> None:
        self.stats.sent += 1
        self.stats.bytes += len(value or b"")
        if self.out is None:
            return
        from kafka.errors import KafkaError

        try:
            future = self.out.send(topic, key=key, value=value, timestamp_ms=timestamp_ms, partition=partition,
                                   headers=headers or None)
        except KafkaError as exc:
            raise ReplayError(f"cannot send to {topic} on {self.settings.kafka.bootstrap}: {exc}") from None
        future.add_errback(self._failed)

    def flush(self) -> None:
        """Wait until everything sent is acknowledged; ReplayError when the broker rejected records."""
        if self.out is None:
            return
        from kafka.errors import KafkaError

        try:
            self.out.flush(timeout=max(self.settings.kafka.request_timeout_s * 3, 30.0))
        except KafkaError as exc:
            raise ReplayError(f"flush to {self.settings.kafka.bootstrap} failed: {exc}") from None
        if self.stats.failed:
            raise ReplayError(f"{self.stats.failed} records were not accepted by {self.settings.kafka.bootstrap} "
                              f"(first: {self.stats.first_error})")

    def close(self) -> None:
        """Flush, then release the producer (also when the flush fails)."""
        try:
            self.flush()
        finally:
            if self.out is not None:
                self.out.close(timeout=5)
                self.out = None


def _ms(dt: datetime | None) -> int | None:
    return int(dt.timestamp() * 1000) if dt is not None else None


@dataclass(frozen=True)
class ReplayOptions:
    """Everything ``geotension replay`` decides besides its inputs."""

    topic: str | None = None
    pace: Pace = Pace()
    selection: Selection = Selection()
    dry_run: bool = False
    strict: bool = False
    max_problems_kept: int = 20


def replay(
    settings: Settings,
    items: Iterable[Item | Bad],
    options: ReplayOptions = ReplayOptions(),
    on_record: Callable[[Stats], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
    pacer: Pacer | None = None,
) -> Stats:
    """Produce ``items`` (NewsArticles Avro-encoded to news.raw, GDELT lines raw to gdelt.raw).

    Invalid records are counted and reported through ``on_problem`` (``file:line: reason``)
    and skipped, or raise :class:`StrictStop` with ``options.strict`` after flushing what
    was already sent.
    """
    registry = default_registry()
    stats = Stats()
    pacer = pacer or Pacer(options.pace)
    selection = options.selection
    topics = {"article": options.topic or settings.topic("news_raw"), "gdelt": options.topic or settings.topic("gdelt_raw")}
    sink = Sink(settings, options.dry_run, stats)
    encode_article = registry.encoder("NewsArticle")
    try:
        for entry in items:
            stats.read += 1
            if isinstance(entry, Bad):
                stats.invalid += 1
                if len(stats.problems) < options.max_problems_kept:
                    stats.problems.append(str(entry))
                if on_problem:
                    on_problem(str(entry))
                if options.strict:
                    raise StrictStop(f"{entry} (--strict: stopped after {stats.sent} sent)")
                continue
            if not selection.wants(entry.event_time):
                stats.skipped += 1
                continue
            if selection.limit is not None and stats.sent >= selection.limit:
                stats.read -= 1
                break
            topic = topics[entry.kind]
            if topic not in sink.checked:
                sink.check_topic(topic)
            key = entry.key.encode("utf-8")
            headers: list[tuple[str, bytes]] = []
            if entry.kind == "article":
                try:
                    fitted = sink.fit(topic, key, entry.record or {}, encode_article)
                    value, headers = fitted.value, fitted.headers
                    if fitted.cut_from is not None and on_problem:
                        on_problem(f"{entry.where}: body cut from {fitted.cut_from:,} to {fitted.cut_to:,} bytes "
                                   f"to fit max.message.bytes={sink.limit(topic):,} of {topic}")
                except TensionError as exc:
                    stats.invalid += 1
                    problem = f"{entry.where}: {exc}"
                    if len(stats.problems) < options.max_problems_kept:
                        stats.problems.append(problem)
                    if on_problem:
                        on_problem(problem)
                    if options.strict:
                        raise StrictStop(f"{problem} (--strict: stopped after {stats.sent} sent)") from None
                    continue
            else:
                value = entry.raw or b""
            pacer.wait(entry.event_time)
            sink.send(topic, key, value, _ms(entry.event_time), headers=headers)
            if on_record:
                on_record(stats)
    finally:
        sink.close()
    return stats


# ----------------------------------------------------------------------------- topic ranges


def _partitions(reader: Any, topic: str, bootstrap: str) -> list[Any]:
    from kafka import TopicPartition

    found = reader.partitions_for_topic(topic)
    if not found:
        raise ReplayError(f"topic {topic!r} does not exist on {bootstrap}")
    return [TopicPartition(topic, p) for p in sorted(found)]


def range_offsets(reader: Any, partitions: list[Any], since: datetime | None, until: datetime | None
                  ) -> dict[Any, tuple[int, int]]:
    """Per partition, [first, stop) offsets of the records with timestamp in [since, until)."""
    ends = reader.end_offsets(partitions)
    starts = reader.beginning_offsets(partitions)

    def locate(when: datetime | None, default: dict[Any, int]) -> dict[Any, int]:
        if when is None:
            return dict(default)
        found = reader.offsets_for_times({tp: _ms(when) for tp in partitions})
        return {tp: (found[tp].offset if found.get(tp) is not None else ends[tp]) for tp in partitions}

    first = locate(since, starts)
    stop = locate(until, ends)
    return {tp: (first[tp], min(max(stop[tp], first[tp]), ends[tp])) for tp in partitions}


def copy_range(
    settings: Settings, topic: str, since: datetime | None, until: datetime | None = None,
    to_topic: str | None = None, pace: Pace | None = None, limit: int | None = None, dry_run: bool = False,
    on_record: Callable[[Stats], None] | None = None, pacer: Pacer | None = None,
) -> tuple[Stats, int]:
    """Re-feed the records of ``topic`` with timestamps in [since, until) into ``to_topic``.

    Keys, values, headers and timestamps are kept; a record keeps its partition number when
    the target has that partition. The end of the range is fixed before copying starts, so
    copying a topic into itself terminates. Returns (stats, records in the range).
    """
    target = to_topic or topic
    require_broker(settings)
    reader = consumer(settings, enable_auto_commit=False, group_id=None, auto_offset_reset="earliest")
    stats = Stats()
    pacer = pacer or Pacer(pace or Pace())
    try:
        partitions = _partitions(reader, topic, settings.kafka.bootstrap)
        bounds = range_offsets(reader, partitions, since, until)
        total = sum(stop - first for first, stop in bounds.values())
        target_partitions = len(reader.partitions_for_topic(target) or ()) if target != topic else len(partitions)
        if not target_partitions and not dry_run:
            raise ReplayError(f"topic {target!r} does not exist on {settings.kafka.bootstrap}")
        pending = {tp: b for tp, b in bounds.items() if b[1] > b[0]}
        sink = Sink(settings, dry_run, stats)
        try:
            reader.assign(list(pending))
            for tp, (first, _) in pending.items():
                reader.seek(tp, first)
            idle_since = time.monotonic()
            while pending and (limit is None or stats.sent < limit):
                batch = reader.poll(timeout_ms=1000, max_records=2000)
                if not batch:
                    if time.monotonic() - idle_since > max(settings.kafka.request_timeout_s * 3, 30.0):
                        raise ReplayError(f"no records arrive from {topic} on {settings.kafka.bootstrap} although "
                                          f"{len(pending)} partition(s) have some left in the range")
                    continue
                idle_since = time.monotonic()
                for tp, messages in sorted(batch.items(), key=lambda kv: kv[0].partition):
                    if tp not in pending:
                        continue
                    stop = pending[tp][1]
                    for message in messages:
                        if message.offset >= stop or (limit is not None and stats.sent >= limit):
                            break
                        stats.read += 1
                        pacer.wait(message.timestamp)
                        partition = tp.partition if tp.partition < target_partitions else None
                        sink.send(target, message.key, message.value, message.timestamp, partition,
                                  list(message.headers or []))
                        if on_record:
                            on_record(stats)
                    if reader.position(tp) >= stop:
                        # This partition's range is done; records beyond it stay unread.
                        pending.pop(tp)
                        reader.pause(tp)
        finally:
            sink.close()
    finally:
        reader.close()
    return stats, total


# ----------------------------------------------------------------------------- group rewind


@dataclass(frozen=True)
class OffsetMove:
    """One partition of a rewind: the committed offset before and after."""

    topic: str
    partition: int
    before: int | None
    after: int


def active_members(settings: Settings, group: str) -> list[str]:
    """Client ids/hosts of the group's live members (empty when the group is empty or unknown)."""
    from kafka.errors import KafkaError

    admin = admin_client(settings)
    try:
        described = admin.describe_groups([group])
    except KafkaError as exc:
        raise ReplayError(f"cannot describe group {group!r} on {settings.kafka.bootstrap}: {exc}") from None
    finally:
        admin.close()
    info = described.get(group) if isinstance(described, dict) else None
    if info is None and isinstance(described, list) and described:
        info = described[0]
    members = (info or {}).get("members") or []
    return [f"{m.get('client_id', '?')}@{m.get('client_host', '?')}" for m in members]


def resolve_time(text: str) -> datetime | str:
    """``earliest``, ``latest`` or an ISO 8601 time (InputError otherwise)."""
    from streams.records import parse_time

    lowered = text.strip().lower()
    if lowered in ("earliest", "beginning", "latest", "end"):
        return "earliest" if lowered in ("earliest", "beginning") else "latest"
    try:
        return parse_time(text, "--to")
    except TensionError as exc:
        raise InputError(f"{exc} (or use earliest / latest)") from None


def rewind_group(settings: Settings, group: str, to: datetime | str, topics: Iterable[str] = (),
                 dry_run: bool = False) -> list[OffsetMove]:
    """Move ``group``'s committed offsets on ``topics`` to the first record at or after ``to``.

    ``to`` may be ``"earliest"`` or ``"latest"``. Without ``topics``, every topic the group has
    committed offsets for. A partition without a record at or after ``to`` goes to its end.
    Refuses (ReplayError) while the group has active members: their next commit would undo
    the rewind.
    """
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata

    require_broker(settings)
    members = active_members(settings, group)
    if members:
        raise ReplayError(f"group {group!r} has {len(members)} active member(s) ({', '.join(members[:3])}); "
                          "stop its consumers before rewinding")
    admin = admin_client(settings)
    reader = consumer(settings, enable_auto_commit=False, group_id=None)
    try:
        committed = admin.list_group_offsets({group: None}).get(group, {})
        wanted = list(topics) or sorted({tp.topic for tp in committed})
        if not wanted:
            raise ReplayError(f"group {group!r} has no committed offsets on {settings.kafka.bootstrap}; name --topic")
        partitions = list(itertools.chain.from_iterable(_partitions(reader, t, settings.kafka.bootstrap) for t in wanted))
        if to == "earliest":
            targets = reader.beginning_offsets(partitions)
        elif to == "latest":
            targets = reader.end_offsets(partitions)
        else:
            assert isinstance(to, datetime)
            ends = reader.end_offsets(partitions)
            found = reader.offsets_for_times({tp: _ms(to) for tp in partitions})
            targets = {tp: (found[tp].offset if found.get(tp) is not None else ends[tp]) for tp in partitions}
        moves = []
        for tp in partitions:
            meta = committed.get(tp)
            before = meta.offset if meta is not None and meta.offset >= 0 else None
            moves.append(OffsetMove(tp.topic, tp.partition, before, int(targets[tp])))
        if dry_run:
            return moves
        offsets = {tp: OffsetAndMetadata(int(targets[tp]), "geotension rewind", -1) for tp in partitions}
        try:
            result = admin.alter_group_offsets(group, offsets)
        except KafkaError as exc:
            raise ReplayError(f"cannot rewind group {group!r} on {settings.kafka.bootstrap}: {exc}") from None
        errors = {tp: err for tp, err in (result or {}).items() if getattr(err, "errno", 0)}
        if errors:
            tp, err = next(iter(errors.items()))
            raise ReplayError(f"rewind of group {group!r} refused for {tp.topic}[{tp.partition}]: {err.__name__}"
                              " (did a member join meanwhile?)")
        return moves
    finally:
        reader.close()
        admin.close()
