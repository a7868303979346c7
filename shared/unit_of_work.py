"""The unit of work every service's use cases run in: the only place a database transaction
opens, and where the events a use case causes are collected until it has committed.

A service subclasses `PostgresUnitOfWork` to hand its handlers its own repositories; unit tests
give handlers a fake with the same shape (no database). `run_in_unit_of_work` is the one way a
use case is executed: open, handle, commit, then publish what was collected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, TypeVar

import asyncpg

from shared.schemas import Envelope


@dataclass(frozen=True)
class Outgoing:
    """An event a use case caused, with the topic it goes to."""

    topic: str
    event: Envelope


class Publisher(Protocol):
    """Puts events on topics, keyed by patient id. Implementations: faust's producer inside a
    service (shared.streaming.FaustPublisher), aiokafka for commands (shared.kafka.KafkaPublisher)."""

    async def publish(self, outgoing: list[Outgoing]) -> None: ...


class DiscardingPublisher:
    """Publishes nothing: for replaying recorded events into a ledger (`rcm rebuild`) and for
    benchmarks of a stage's own work, where what a use case causes must not leave again."""

    async def publish(self, outgoing: list[Outgoing]) -> None:
        return None


class UnitOfWork(Protocol):
    events: list[Outgoing]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...

    def emit(self, topic: str, event: Envelope) -> None: ...


class EventCollector:
    """The half of a unit of work that does not need a database (shared by real and fake ones)."""

    events: list[Outgoing]

    def __init__(self) -> None:
        self.events = []

    def emit(self, topic: str, event: Envelope) -> None:
        self.events.append(Outgoing(topic, event))


class PostgresUnitOfWork(EventCollector):
    """One connection and one transaction from the service's pool. Leaving the block without
    `commit()` rolls back, and then nothing collected is published."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__()
        self._pool = pool
        self.conn: asyncpg.Connection
        self._tx: asyncpg.transaction.Transaction | None = None

    async def __aenter__(self) -> Self:
        self.events = []
        self.conn = await self._pool.acquire()
        self._tx = self.conn.transaction()
        await self._tx.start()
        self.open_repositories(self.conn)
        return self

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        """Subclasses bind their repositories to the transaction's connection here."""

    async def commit(self) -> None:
        assert self._tx is not None, "commit outside the unit of work"
        await self._tx.commit()
        self._tx = None

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._tx is not None:
                await self._tx.rollback()
                self._tx = None
                self.events = []
        finally:
            await self._pool.release(self.conn)


U = TypeVar("U", bound=UnitOfWork)
R = TypeVar("R")


async def run_in_unit_of_work(
    make_uow: Callable[[], U], use_case: Callable[[U], Awaitable[R]], publisher: Publisher
) -> R:
    """Run a use case in a fresh unit of work, commit it, then publish what it collected.

    Publishing after the commit is safe because every event id is derived from what caused it:
    if the process dies in between, the redelivered input runs the use case again, which finds
    its effects already recorded and collects the same events (same ids) to publish again."""
    async with make_uow() as uow:
        result = await use_case(uow)
        await uow.commit()
        outgoing = list(uow.events)
    if outgoing:
        await publisher.publish(outgoing)
    return result
