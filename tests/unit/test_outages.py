"""A dependency away: timers survive it, the log gets one line when it begins and one when it ends;
the review views refuse a bad `limit` instead of failing on it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from coder.entrypoints.review import MAX_LIMIT, parse_limit
from shared.outages import Outage, guarded_timer


class FakeApp:
    def __init__(self) -> None:
        self.timers: list[tuple[float, str | None, Callable[[], Awaitable[None]]]] = []

    def timer(self, every: float, name: str | None = None) -> Callable[[Any], Any]:
        def add(fn: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
            self.timers.append((every, name, fn))
            return fn

        return add


async def test_a_timer_rides_out_an_outage_and_logs_its_start_and_end_once(caplog: pytest.LogCaptureFixture) -> None:
    failures = [ConnectionRefusedError("refused"), asyncpg.CannotConnectNowError("starting up"), OSError("gone")]
    ticks: list[int] = []

    async def measure() -> None:
        if failures:
            raise failures.pop(0)
        ticks.append(1)

    app = FakeApp()
    guarded_timer(app, 10.0, measure)  # type: ignore[arg-type]  # the fake has the one method used
    [(every, name, tick)] = app.timers
    assert every == 10.0 and name is not None and name.endswith("measure")
    with caplog.at_level(logging.WARNING, logger="shared.streaming"):
        for _ in range(5):
            await tick()  # never raises
    assert ticks == [1, 1]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "ConnectionRefusedError" in lines[0] and "refused" not in lines[0]  # the kind, never the text
    assert "recovered after" in lines[1] and "3 failed attempts" in lines[1]


async def test_a_bug_in_a_timer_does_not_stop_the_service(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise KeyError("P-123 Doe")  # an exception text may quote patient data

    app = FakeApp()
    guarded_timer(app, 1.0, broken)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="shared.streaming"):
        await app.timers[0][2]()
        await app.timers[0][2]()
    assert [r.getMessage() for r in caplog.records] == ["timer broken: KeyError; retrying quietly until it succeeds"]


def test_an_outage_that_never_began_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage("something")
    with caplog.at_level(logging.DEBUG, logger="shared.streaming"):
        outage.over()
    assert caplog.records == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, 100), ("1", 1), (str(MAX_LIMIT), MAX_LIMIT), ("0", None), ("-1", None), ("abc", None),
     (str(MAX_LIMIT + 1), None), ("100000000", None), ("1.5", None), ("", None), ("1e3", None)],
)  # fmt: skip
def test_review_limit_is_a_whole_number_in_range(text: str | None, expected: int | None) -> None:
    assert parse_limit(text) == expected


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
