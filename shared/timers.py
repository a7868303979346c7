"""Timers every stage runs beside its agents."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import faust

from shared import metrics
from shared.outages import guarded_timer

if TYPE_CHECKING:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient


class _LagClients:
    """The admin client and the consumer the lag timer reads with, kept open between measurements:
    opening them every 10 s cost each stage four TLS handshakes and SCRAM logins (PBKDF2, 4,096
    rounds of SHA-512) on its side and on the broker's (docs/benchmarks.md). Closed after a failed
    measurement, so the next one starts afresh, and when the worker stops."""

    def __init__(self) -> None:
        self._stack: contextlib.AsyncExitStack | None = None
        self._clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None

    async def open(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        from shared.kafka import admin_client, consuming

        if self._clients is None:
            stack = contextlib.AsyncExitStack()
            try:
                admin = await stack.enter_async_context(admin_client())
                consumer = await stack.enter_async_context(consuming())
            except BaseException:
                await stack.aclose()
                raise
            self._stack, self._clients = stack, (admin, consumer)
        return self._clients

    async def close(self, *_: Any, **__: Any) -> None:  # also faust's on_before_shutdown receiver
        stack, self._stack, self._clients = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):
                await stack.aclose()


def track_consumer_lag(app: faust.App, topics: list[str], every: float = 10.0) -> None:
    """Publish rcm_consumer_lag for the app's consumer group: end offset minus committed offset,
    per partition of each topic it consumes (read with aiokafka, never touching the group)."""
    from shared.kafka import partitions_of

    clients = _LagClients()

    async def measure_consumer_lag() -> None:
        admin, consumer = await clients.open()
        try:
            committed = await admin.list_consumer_group_offsets(app.conf.id)
            for topic in topics:
                partitions = await partitions_of(consumer, topic)
                ends = await consumer.end_offsets(partitions)
                for tp in partitions:
                    done = committed.get(tp)
                    lag = ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
                    metrics.consumer_lag.labels(topic=topic, partition=str(tp.partition)).set(max(lag, 0))
        except BaseException:
            await clients.close()
            raise

    guarded_timer(app, every, measure_consumer_lag)  # a metric must never take the service down
    app.on_before_shutdown.connect(clients.close, weak=False)
