"""The send schedule is a pure function of event times and the pace; the pacer uses a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streams.errors import InputError
from streams.pacing import Pace, Pacer, schedule

T0 = datetime(2022, 9, 7, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_max_sends_everything_at_once() -> None:
    assert list(schedule([T0, T0 + MINUTE, None], Pace())) == [0.0, 0.0, 0.0]


def test_speed_divides_event_time_gaps() -> None:
    times = [T0, T0 + MINUTE, T0 + 3 * MINUTE, T0 + 2 * MINUTE, None, T0 + 4 * MINUTE]
    # 60×: a minute of event time is a second; the late record and the undated one wait not at
    # all, and the next gap is measured from the newest time seen (3 min), not the late one.
    assert list(schedule(times, Pace(speed=60))) == [0.0, 1.0, 3.0, 3.0, 3.0, 4.0]


def test_speed_with_max_gap_caps_quiet_periods() -> None:
    times = [T0, T0 + timedelta(days=30), T0 + timedelta(days=30, minutes=1)]
    assert list(schedule(times, Pace(speed=60, max_gap_s=10))) == [0.0, 10.0, 11.0]


def test_rate_ignores_event_time() -> None:
    assert list(schedule([T0, None, T0 - MINUTE, T0], Pace(rate=4))) == [0.0, 0.25, 0.5, 0.75]


def test_epoch_millis_work_like_datetimes() -> None:
    ms = int(T0.timestamp() * 1000)
    assert list(schedule([ms, ms + 30_000], Pace(speed=10))) == [0.0, 3.0]


def test_bad_paces_are_input_errors() -> None:
    with pytest.raises(InputError, match="exclude each other"):
        Pace(speed=2, rate=3)
    with pytest.raises(InputError, match="--speed must be positive"):
        Pace(speed=0)
    with pytest.raises(InputError, match="--max-gap must be positive"):
        Pace(speed=1, max_gap_s=-1)


class FakeClock:
    """Time moves only when the pacer sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_pacer_sleeps_up_to_each_due_time_and_catches_up_after_slow_sends() -> None:
    fake = FakeClock()
    pacer = Pacer(Pace(speed=60), clock=fake.clock, sleep=fake.sleep)
    assert pacer.wait(T0) == 0.0
    assert pacer.wait(T0 + MINUTE) == 1.0
    fake.now += 2.5  # a slow send: the next record is already 1.5 s late
    assert pacer.wait(T0 + 3 * MINUTE) == 0.0
    assert pacer.wait(T0 + 5 * MINUTE) == pytest.approx(1.5)
    assert fake.sleeps == [1.0, pytest.approx(1.5)]
    assert pacer.slept_s == pytest.approx(2.5)
