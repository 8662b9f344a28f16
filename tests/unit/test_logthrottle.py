"""Repeated connection errors are logged once per interval, with the count held back."""

from __future__ import annotations

import logging

import pytest

from streams.logthrottle import RepeatFilter, install


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_line_per_interval_with_the_count(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = logging.getLogger("test.throttle.kafka")
    repeat = RepeatFilter(interval_s=5.0, clock=clock)
    caplog.handler.addFilter(repeat)
    try:
        with caplog.at_level(logging.INFO, logger="test.throttle.kafka"):
            for step in range(60):  # one error per 0.1 s for 6 s, against two nodes
                clock.now = step * 0.1
                log.error("Unable connect to node with id %s: [Errno 111] Connect call failed", step % 2 + 1)
            for _ in range(3):  # aiokafka's metadata refresh during an outage: held back too
                log.error("Unable to update metadata from %s", [1])
            log.error("Unexpected error in fetcher routine")  # not a connection problem: always shown
            log.info("Connection to node 1 established")  # below WARNING: always shown
    finally:
        caplog.handler.removeFilter(repeat)
    assert [r.getMessage() for r in caplog.records] == [
        "Unable connect to node with id 1: [Errno 111] Connect call failed",
        "Unable connect to node with id 1: [Errno 111] Connect call failed [49 more like this in the last 5 s]",
        "Unable to update metadata from [1]",
        "Unexpected error in fetcher routine",
        "Connection to node 1 established",
    ]


def test_installed_once_on_every_root_handler_and_judged_once_for_all() -> None:
    logger = logging.getLogger("test.throttle.root")
    logger.propagate = False
    seen: list[list[str]] = [[], []]

    class Keep(logging.Handler):
        def __init__(self, out: list[str]) -> None:
            super().__init__()
            self.out = out

        def emit(self, record: logging.LogRecord) -> None:
            self.out.append(record.getMessage())

    handlers = [Keep(seen[0]), Keep(seen[1])]
    for handler in handlers:
        logger.addHandler(handler)
    try:
        first = install(5.0, logger)
        assert install(5.0, logger) is first
        assert all(h.filters == [first] for h in handlers)
        clock = Clock()
        first.clock = clock
        for _ in range(3):
            logger.warning("Connection to broker lost")
        clock.now = 7.0
        logger.warning("Connection to broker lost")
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
    assert seen[0] == seen[1] == ["Connection to broker lost",
                                  "Connection to broker lost [2 more like this in the last 7 s]"]
