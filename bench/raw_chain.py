"""The ceiling the pipeline is compared with: a raw aiokafka chain over the same four hops on the
same broker (consume -> produce, no work), and the helpers that count and fill topics."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import secrets
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as EventType

from shared import kafka

RAW_HOPS = 4


async def _relay(source: str, target: str | None, n: int, ready: EventType, done: Synchronized[float]) -> None:
    producer = kafka.make_producer() if target else None
    if producer:
        await producer.start()
    async with kafka.consuming(fetch_max_bytes=16 * 1024 * 1024) as consumer:
        consumer.assign(await kafka.partitions_of(consumer, source))
        await consumer.seek_to_beginning()
        ready.set()
        seen = 0
        while seen < n:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                for record in records:
                    if producer and target:
                        await producer.send(target, record.value, key=record.key)
                    seen += 1
        if producer:
            await producer.flush()
            await producer.stop()
        with done.get_lock():
            done.value = time.time()


def _relay_process(source: str, target: str | None, n: int, ready: EventType, done: Synchronized[float]) -> None:
    asyncio.run(_relay(source, target, n, ready, done))


async def topics_for_run(names: list[str], create: bool) -> None:
    if create:
        await kafka.ensure_topics(names)
    else:
        await kafka.delete_topics(names)


async def produce_raw(topic: str, payloads: list[tuple[bytes, bytes]]) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        pending = [await producer.send(topic, value, key=key) for key, value in payloads]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def raw_chain(payloads: list[tuple[bytes, bytes]]) -> float:
    """Messages per second through RAW_HOPS consume->produce hops, each hop its own process."""
    tag = secrets.token_hex(3)
    names = [f"bench-raw-{tag}-{i}" for i in range(RAW_HOPS)]
    asyncio.run(topics_for_run(names, create=True))
    ctx = mp.get_context("spawn")
    ready = [ctx.Event() for _ in names]
    done = [ctx.Value("d", 0.0) for _ in names]
    procs = [
        ctx.Process(
            target=_relay_process,
            args=(src, names[i + 1] if i + 1 < len(names) else None, len(payloads), ready[i], done[i]),
        )
        for i, src in enumerate(names)
    ]
    for p in procs:
        p.start()
    try:
        for event in ready:
            event.wait(60)
        started = time.time()
        asyncio.run(produce_raw(names[0], payloads))
        for p in procs:
            p.join(600)
        return len(payloads) / (done[-1].value - started)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        asyncio.run(topics_for_run(names, create=False))


async def count_until(topic: str, total: int, timeout: float, progress: list[tuple[float, int]] | None = None) -> float:
    """Seconds until `topic` holds `total` events (read from the start, no group). `progress`, if
    given, receives (seconds, events so far) at each look (every 50 ms)."""
    started = time.perf_counter()
    async with kafka.consuming() as consumer:
        partitions = await kafka.partitions_of(consumer, topic)
        while time.perf_counter() - started < timeout:
            ends = await consumer.end_offsets(partitions)
            count = sum(ends.values())
            if progress is not None:
                progress.append((time.perf_counter() - started, count))
            if count >= total:
                return time.perf_counter() - started
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{topic} did not reach {total} events")
