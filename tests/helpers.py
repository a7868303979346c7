"""Helpers for integration and e2e tests: read topics from given offsets, wait for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import orjson
from aiokafka import TopicPartition

from shared import kafka
from shared.settings import get_settings


def intake_url(path: str = "/visits") -> str:
    s = get_settings()
    return f"http://{s.web_host}:{s.encounter_port}{path}"


async def end_offsets(topic: str) -> dict[int, int]:
    async with kafka.consuming() as consumer:
        ends = await consumer.end_offsets(await kafka.partitions_of(consumer, topic))
        return {tp.partition: offset for tp, offset in ends.items()}


async def read_since(topic: str, since: dict[int, int], until_idle: float = 1.0) -> list[dict]:
    """Every event on `topic` after the offsets in `since`, up to the current end."""
    async with kafka.consuming() as consumer:
        partitions = [TopicPartition(topic, p) for p in since]
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, since[tp.partition])
        ends = await consumer.end_offsets(partitions)
        events: list[dict] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=int(until_idle * 1000))
            for records in batch.values():
                for record in records:
                    events.append({"raw": record.value, "headers": dict(record.headers), "partition": record.partition})
        return events


def visit_ids_of(events: list[dict]) -> list[str]:
    ids = []
    for e in events:
        try:
            ids.append(orjson.loads(e["raw"])["visit_id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
    return ids


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 60.0, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(every)
    return False
