"""GDELT 2.0 event exports: reading the files and turning a row into a TaggedEvent.

An export is 61 tab-separated columns per line, no header, UTF-8, as GDELT publishes it every
15 minutes (``YYYYMMDDHHMMSS.export.CSV.zip``, one member). The replay CLI produces each line
as it is (``gdelt.raw``, key = GLOBALEVENTID); the GDELT agent maps it with
:func:`event_from_line`. Columns (0-based) used here: 0 GLOBALEVENTID, 1 SQLDATE, 5/15 actor
codes, 6/16 names, 7/17 CAMEO country codes, 12–14/22–24 type codes, 26 EventCode (a string:
leading zeros are kept), 29 QuadClass, 30 GoldsteinScale, 32 NumSources, 60 SOURCEURL.

What a row becomes (:func:`classify`):

* a TaggedEvent with ``origin=GDELT`` when at least one actor country is a watched state;
  ``dyad`` is set only when both are watched and differ (otherwise null, as for text events);
* skipped and counted, not dead-lettered, when an actor country is missing (GDELT codes many
  events against unnamed or sub-state actors) or when neither country is watched: such rows
  are ordinary GDELT output, not errors;
* a :class:`~streams.errors.SchemaError` (dead-lettered by the agent) when the row is
  malformed: wrong column count, a bad id, date, code, QuadClass or number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from streams.errors import InputError, SchemaError
from streams.sources import Bad, Item

COLUMNS = 61
ID, SQLDATE = 0, 1
A1_NAME, A1_COUNTRY, A1_TYPES = 6, 7, (12, 13, 14)
A2_NAME, A2_COUNTRY, A2_TYPES = 16, 17, (22, 23, 24)
EVENT_CODE, QUAD_CLASS, GOLDSTEIN, NUM_SOURCES, SOURCE_URL = 26, 29, 30, 32, 60

#: CAMEO actor type codes → Actor.role. Police, courts, legislature and officials act for the
#: state (GOV); insurgents and separatists are rebels; multinationals are business.
DEFAULT_ROLES: dict[str, str] = {
    "GOV": "GOV", "COP": "GOV", "JUD": "GOV", "LEG": "GOV", "ELI": "GOV",
    "MIL": "MIL", "SPY": "SPY", "OPP": "OPP",
    "REB": "REB", "INS": "REB", "SEP": "REB",
    "CVL": "CVL", "BUS": "BUS", "MNC": "BUS", "MED": "MED",
}
#: CAMEO code prefixes → context; the longest matching prefix wins, else OTHER. Force,
#: posture, assault and mass violence (15, 18, 19, 20) are military; sanctions and aid are
#: economic; consultations, diplomatic cooperation and cutting relations are diplomatic.
DEFAULT_CONTEXTS: dict[str, str] = {
    "15": "MILITARY", "18": "MILITARY", "19": "MILITARY", "20": "MILITARY",
    "04": "DIPLOMATIC", "05": "DIPLOMATIC", "16": "DIPLOMATIC",
    "061": "ECONOMIC", "071": "ECONOMIC", "163": "ECONOMIC", "1621": "ECONOMIC",
    "173": "LEGAL", "1711": "LEGAL",
}


@dataclass(frozen=True)
class GdeltRules:
    """How GDELT rows are mapped: watched states, roles, contexts, confidence.

    GDELT is machine-coded from one sentence with no modality: events are ASSERTED at a fixed
    confidence below a careful text reading (0.6 by default).
    """

    watched: frozenset[str]
    confidence: float = 0.6
    roles: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    contexts: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CONTEXTS))

    @property
    def ruleset_version(self) -> str:
        """Names the mapping: a change of watched states or confidence changes the version."""
        return f"gdelt2:watched={','.join(sorted(self.watched))}:confidence={self.confidence:g}"

    @classmethod
    def from_settings(cls, settings: Any) -> GdeltRules:
        """Watched states from ``actors.yaml`` (``watched:``)."""
        watched = frozenset(str(code).upper() for code in (settings.actors.get("watched") or ()))
        return cls(watched=watched)

    def context(self, code: str) -> str:
        for length in range(len(code), 1, -1):
            found = self.contexts.get(code[:length])
            if found:
                return found
        return "OTHER"

    def role(self, types: Iterable[str]) -> str:
        for code in types:
            role = self.roles.get(code.strip().upper())
            if role:
                return role
        return "OTHER"


@dataclass(frozen=True)
class Skip:
    """A well-formed row that yields no event, and why (a counter name)."""

    reason: str


def split_line(line: bytes | str) -> list[str]:
    """The 61 fields of one export line, or SchemaError naming what is wrong."""
    if isinstance(line, (bytes, bytearray)):
        try:
            text = bytes(line).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(f"GDELT row is not valid UTF-8 (byte {exc.start})") from None
    else:
        text = line
    fields = text.rstrip("\r\n").split("\t")
    if len(fields) != COLUMNS:
        raise SchemaError(f"GDELT row has {len(fields)} tab-separated columns, expected {COLUMNS}")
    return fields


def event_id_of(fields: list[str]) -> str:
    """GLOBALEVENTID (digits only), or SchemaError."""
    value = fields[ID].strip()
    if not value.isdigit():
        raise SchemaError(f"GDELT GLOBALEVENTID is not a number: {value[:30]!r}")
    return value


def event_time_of(fields: list[str]) -> datetime:
    """SQLDATE (YYYYMMDD) as UTC midnight, or SchemaError."""
    value = fields[SQLDATE].strip()
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), tzinfo=UTC)
    except ValueError:
        raise SchemaError(f"GDELT SQLDATE is not a YYYYMMDD date: {value[:30]!r}") from None


def _number(fields: list[str], index: int, name: str, kind: type) -> Any:
    value = fields[index].strip()
    try:
        return kind(value)
    except ValueError:
        raise SchemaError(f"GDELT {name} is not a number: {value[:30]!r}") from None


def classify(line: bytes | str, rules: GdeltRules) -> dict[str, Any] | Skip:
    """A TaggedEvent record for one export line, a :class:`Skip`, or SchemaError if malformed."""
    fields = split_line(line)
    gid = event_id_of(fields)
    event_time = event_time_of(fields)
    code = fields[EVENT_CODE].strip()
    if not (code.isdigit() and 2 <= len(code) <= 4):
        raise SchemaError(f"GDELT EventCode is not a CAMEO code: {code[:30]!r}")
    quad = _number(fields, QUAD_CLASS, "QuadClass", int)
    if not 1 <= quad <= 4:
        raise SchemaError(f"GDELT QuadClass must be 1..4, got {quad}")
    goldstein = _number(fields, GOLDSTEIN, "GoldsteinScale", float)
    if not -10.0 <= goldstein <= 10.0:
        raise SchemaError(f"GDELT GoldsteinScale must be within -10..10, got {goldstein}")
    num_sources = _number(fields, NUM_SOURCES, "NumSources", int) if fields[NUM_SOURCES].strip() else 1
    c1, c2 = fields[A1_COUNTRY].strip().upper(), fields[A2_COUNTRY].strip().upper()
    if not c1 or not c2:
        return Skip("no-actor-country")
    if c1 not in rules.watched and c2 not in rules.watched:
        return Skip("not-watched")
    dyad = "-".join(sorted((c1, c2))) if c1 != c2 and c1 in rules.watched and c2 in rules.watched else None
    url = fields[SOURCE_URL].strip() or None
    return {
        "event_id": f"gdelt-{gid}",
        "article_id": f"GDELT:{gid}",
        "origin": "GDELT",
        "event_time": event_time,
        "source": _actor(c1, fields[A1_NAME], [fields[i] for i in A1_TYPES], rules),
        "target": _actor(c2, fields[A2_NAME], [fields[i] for i in A2_TYPES], rules),
        "dyad": dyad,
        "cameo_code": code,
        "quad_class": quad,
        "goldstein": goldstein,
        "context": rules.context(code),
        "modality": "ASSERTED",
        "confidence": rules.confidence,
        "evidence": {"sentence": url or "", "spans": []},
        "language": None,
        "num_sources": max(num_sources, 1),
        "ruleset_version": rules.ruleset_version,
        "outlet": None,
        "url": url,
        "truncated": False,
    }


def _actor(country: str, name: str, types: list[str], rules: GdeltRules) -> dict[str, Any]:
    return {"code": country, "country": country, "role": rules.role(types), "name": name.strip() or country}


# ---------------------------------------------------------------------------- files


def open_export(path: Path) -> io.BufferedIOBase:
    """The export's bytes: the file itself, or the single ``.CSV`` member of a ``.zip``."""
    try:
        if zipfile.is_zipfile(path):
            archive = zipfile.ZipFile(path)
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                archive.close()
                raise InputError(f"{path}: expected one export file in the zip, found {len(members)}")
            return archive.open(members[0])  # type: ignore[return-value]
        return path.open("rb")  # type: ignore[return-value]
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


def read_gdelt(path: Path) -> Iterator[Item | Bad]:
    """Raw export lines as items (key GLOBALEVENTID, event time SQLDATE); malformed lines are Bad."""
    with open_export(path) as handle:
        yield from read_gdelt_stream(handle, str(path))  # type: ignore[arg-type]


def read_gdelt_stream(handle: IO[bytes], name: str) -> Iterator[Item | Bad]:
    """Export lines read from ``handle`` (a zip is opened when the stream is one), reported as ``name:line``."""
    if hasattr(handle, "peek") and handle.peek(4)[:4] == b"PK\x03\x04":
        # A zip's directory is at its end: standard input is read whole first.
        with zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise InputError(f"{name}: expected one export file in the zip, found {len(members)}")
            with archive.open(members[0]) as member:
                yield from read_gdelt_stream(member, name)  # type: ignore[arg-type]
        return
    try:
        for number, raw in enumerate(handle, 1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            where = f"{name}:{number}"
            try:
                fields = split_line(line)
                gid = event_id_of(fields)
                when = event_time_of(fields)
            except SchemaError as exc:
                yield Bad(where, str(exc))
                continue
            yield Item(where, gid, when, "gdelt", raw=line)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{name}: cannot read ({exc})") from None
