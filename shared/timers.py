"""Timers every stage runs beside its agents."""

from __future__ import annotations

import faust

from shared import metrics
from shared.outages import guarded_timer


def track_consumer_lag(app: faust.App, topics: list[str], every: float = 10.0) -> None:
    """Publish rcm_consumer_lag for the app's consumer group: end offset minus committed offset,
    per partition of each topic it consumes (read with aiokafka, never touching the group)."""
    from shared.kafka import admin_client, consuming, partitions_of

    async def measure_consumer_lag() -> None:
        async with admin_client() as admin:
            committed = await admin.list_consumer_group_offsets(app.conf.id)
        async with consuming() as consumer:
            for topic in topics:
                partitions = await partitions_of(consumer, topic)
                ends = await consumer.end_offsets(partitions)
                for tp in partitions:
                    done = committed.get(tp)
                    lag = ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
                    metrics.consumer_lag.labels(topic=topic, partition=str(tp.partition)).set(max(lag, 0))

    guarded_timer(app, every, measure_consumer_lag)  # a metric must never take the service down
