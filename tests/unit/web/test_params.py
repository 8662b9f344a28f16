"""API parameter checks: exact error messages naming the parameter, and statuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from multidict import MultiDict

from streams.web.params import ParamError, check_dyad, parse_limit, parse_since, parse_window, reject_unknown

DYADS = ["ALB-IRN", "ALB-ISR", "IRN-ISR"]


def error(func, *args) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamError) as info:
        func(*args)
    return str(info.value), info.value.status


def test_since_accepts_iso_dates_and_times_as_utc() -> None:
    assert parse_since(MultiDict()) is None
    assert parse_since(MultiDict(since="2022-09-07")) == datetime(2022, 9, 7, tzinfo=UTC)
    assert parse_since(MultiDict(since="2022-09-07T12:00:00+02:00")) == datetime(2022, 9, 7, 10, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "message"), [
    ("yesterday", "`since`: not an ISO 8601 time: 'yesterday'"),
    ("1662508800000", "`since`: not an ISO 8601 time: '1662508800000'"),
    ("<script>" + "x" * 80, "`since`: not an ISO 8601 time: '<script>" + "x" * 52 + "…'"),
])
def test_since_rejects_non_iso(raw: str, message: str) -> None:
    assert error(parse_since, MultiDict(since=raw)) == (message, 400)


def test_repeated_parameter_is_ambiguous() -> None:
    query = MultiDict([("since", "2022-01-01"), ("since", "2023-01-01")])
    assert error(parse_since, query) == ("`since`: given 2 times, expected once", 400)


def test_limit_bounds() -> None:
    assert parse_limit(MultiDict(), 50, 200) == 50
    assert parse_limit(MultiDict(), 50, 20) == 20
    assert parse_limit(MultiDict(limit="200"), 50, 200) == 200
    for raw in ("0", "201", "-1", "ten", "1.5"):
        assert error(parse_limit, MultiDict(limit=raw), 50, 200) == (
            f"`limit`: expected a whole number from 1 to 200, got {raw!r}", 400)


def test_window_must_be_configured() -> None:
    assert parse_window(MultiDict(window="7d"), ["1d", "7d", "30d"]) == "7d"
    assert parse_window(MultiDict(), ["1d"]) is None
    assert error(parse_window, MultiDict(window="2d"), ["1d", "7d", "30d"]) == (
        "`window`: expected one of 1d, 7d, 30d, got '2d'", 400)


def test_dyad_malformed_is_400_unknown_is_404() -> None:
    assert check_dyad("IRN-ISR", DYADS) == "IRN-ISR"
    assert error(check_dyad, "ALB-SRB", DYADS) == (
        "`dyad`: unknown dyad 'ALB-SRB' (known: ALB-IRN, ALB-ISR, IRN-ISR)", 404)
    assert error(check_dyad, "../../etc", DYADS) == ("`dyad`: expected two actor codes like ALB-IRN, got '../../etc'", 400)
    assert error(check_dyad, "alb-irn", DYADS)[1] == 400


def test_unknown_parameters_are_named() -> None:
    reject_unknown(MultiDict(since="x"), ["since", "limit"])
    assert error(reject_unknown, MultiDict(sinse="2022"), ["since", "limit"]) == (
        "`sinse`: unknown parameter (expected: limit, since)", 400)
    assert error(reject_unknown, MultiDict(x="1"), []) == ("`x`: unknown parameter (expected: none)", 400)
