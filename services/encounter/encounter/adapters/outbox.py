"""The transactional outbox: events written with the rows that caused them, in one transaction,
and the relay that puts them on Kafka afterwards.

Guarantee: an event is owed exactly when its acceptance committed, so a crash anywhere leaves
either both or neither, and a retry is answered `duplicates`. The relay publishes with the
idempotent producer (acks=all: no copies from the producer's own retries) and marks rows sent
in the transaction that locked them. Only a crash between the broker's acknowledgement and that
mark publishes a row twice; both copies carry the same event id, which every consumer dedupes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.kafka import encode, make_producer
from shared.unit_of_work import Outgoing

log = logging.getLogger(__name__)


class Outbox:
    """encounter.outbox on a connection (inside the caller's transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, outgoing: list[Outgoing]) -> None:
        if not outgoing:
            return
        await self.conn.execute(
            """INSERT INTO encounter.outbox (event_id, topic, key, payload)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[])
               ON CONFLICT (event_id) DO NOTHING""",
            [o.event.event_id for o in outgoing],
            [o.topic for o in outgoing],
            [o.event.key for o in outgoing],
            [encode(o.event) for o in outgoing],
        )

    async def take_pending(self, limit: int) -> list[asyncpg.Record]:
        """The oldest unsent rows, locked until the transaction ends (another relay skips them)."""
        rows: list[asyncpg.Record] = await self.conn.fetch(
            """SELECT seq, topic, key, payload FROM encounter.outbox WHERE sent_at IS NULL
               ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED""",
            limit,
        )
        return rows

    async def mark_sent(self, seqs: list[int]) -> None:
        await self.conn.execute(
            "UPDATE encounter.outbox SET sent_at = now(), payload = NULL WHERE seq = ANY($1::bigint[])", seqs
        )


async def pending_count(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM encounter.outbox WHERE sent_at IS NULL"))


class OutboxRelay:
    """Publishes what the outbox owes. `publish` (the Publisher protocol) only wakes it: the unit
    of work has already written the events into the outbox with its commit."""

    def __init__(
        self,
        pool: Callable[[], Awaitable[asyncpg.Pool]],
        *,
        batch: int = 500,
        idle_poll: float = 1.0,
        send_timeout: float = 30.0,
        first_retry: float = 0.5,
        max_retry: float = 10.0,
        producer: Callable[[], AIOKafkaProducer] = make_producer,
    ) -> None:
        self._pool = pool
        self._batch = batch
        self._idle_poll = idle_poll
        self._send_timeout = send_timeout
        self._first_retry, self._max_retry = first_retry, max_retry
        self._make_producer = producer
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.published = 0

    async def publish(self, outgoing: list[Outgoing]) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch of pending rows and mark them sent; the number published."""
        pool = await self._pool()
        producer = await self._started_producer()
        async with pool.acquire() as conn, conn.transaction():
            rows = await Outbox(conn).take_pending(self._batch)
            if not rows:
                return 0
            sends = [await producer.send(r["topic"], r["payload"], key=r["key"]) for r in rows]
            await asyncio.wait_for(asyncio.gather(*sends), self._send_timeout)
            await Outbox(conn).mark_sent([r["seq"] for r in rows])
        self.published += len(rows)
        return len(rows)

    async def run(self) -> None:
        """Relay forever. A Postgres or Kafka outage is waited out with back-off: one line when it
        starts, one when it ends (no line per attempt)."""
        delay, outage_since, attempts = self._first_retry, 0.0, 0
        try:
            while True:
                self._wake.clear()  # before reading: a wake during this batch is not lost
                try:
                    sent = await self.relay_once()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # any failure: wait and retry; the rows stay owed
                    attempts += 1
                    if not outage_since:
                        outage_since = time.monotonic()
                        # the kind of error only: texts of database errors can quote row values
                        log.warning("outbox relay paused (%s); retrying with back-off", type(exc).__name__)
                    await self._drop_producer()
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._max_retry)
                    continue
                if outage_since:
                    took = time.monotonic() - outage_since
                    log.warning("outbox relay resumed after %.1fs (%d failed attempts)", took, attempts)
                    delay, outage_since, attempts = self._first_retry, 0.0, 0
                if sent < self._batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._idle_poll)
        finally:
            await self._drop_producer()

    async def _started_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._make_producer()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        """A producer that failed is replaced: a fresh one re-reads the cluster's metadata."""
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 10)
            except Exception:  # stopping a broken producer may fail too; it is dropped either way
                log.debug("producer stop failed", exc_info=True)
