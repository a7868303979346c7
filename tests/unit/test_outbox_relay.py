"""The outbox relay waits out a Postgres or Kafka outage (one line when it starts, one when it
ends), publishes what is owed once it is back, and marks it sent. Fakes, no database or broker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from encounter.adapters.outbox import OutboxRelay


class FakeConnection:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.sent: list[int] = []

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        yield

    def transaction(self) -> Any:
        return self._transaction()

    async def fetch(self, sql: str, limit: int) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["seq"] not in self.sent][:limit]

    async def execute(self, sql: str, seqs: list[int]) -> None:
        self.sent += seqs


class FakePool:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConnection]:
        yield self.conn


class FakeProducer:
    def __init__(self, broker: FakeBroker) -> None:
        self.broker = broker

    async def start(self) -> None:
        if self.broker.down:
            raise OSError("broker away")

    async def stop(self) -> None:
        pass

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.broker.records.append((topic, key, value))
        done.set_result(None)
        return done


class FakeBroker:
    def __init__(self) -> None:
        self.down = True
        self.records: list[tuple[str, bytes, bytes]] = []


async def test_the_relay_waits_out_an_outage_and_then_publishes_once(caplog: pytest.LogCaptureFixture) -> None:
    conn = FakeConnection([{"seq": 1, "topic": "visits", "key": b"P-1", "payload": b"{}"}])
    database_up = asyncio.Event()
    broker = FakeBroker()

    async def pool() -> Any:
        if not database_up.is_set():
            raise ConnectionRefusedError("database away")
        return FakePool(conn)

    relay = OutboxRelay(pool, producer=lambda: FakeProducer(broker), first_retry=0.01, max_retry=0.02, idle_poll=0.01)
    caplog.set_level(logging.WARNING, logger="encounter.adapters.outbox")
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.1)  # Postgres away: nothing read, nothing published
    database_up.set()
    await asyncio.sleep(0.1)  # then Kafka away
    assert broker.records == [] and conn.sent == [] and not task.done()
    broker.down = False
    for _ in range(100):
        if conn.sent:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # more idle polls: nothing is sent twice
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert broker.records == [("visits", b"P-1", b"{}")] and conn.sent == [1] and relay.published == 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines  # one when the outage starts, one when it ends: not one per attempt
    assert lines[0].startswith("outbox relay paused (ConnectionRefusedError)") and "database away" not in lines[0]
    assert lines[1].startswith("outbox relay resumed after")
