"""`rcm bench broker-stall`: how long the partitions a killed broker led take no writes. Every
partition of a probe topic (replication 3, min.insync 2) gets a small acks=all write every
`--every` seconds from one idempotent producer; one node is killed with kill -9; the stall of a
partition is the longest gap between two acknowledged writes after the kill. Needs BROKERS=3;
the node is started again at the end. Figures: docs/reliability.md (broker loss)."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections import defaultdict

import typer
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from bench.faults import stack
from shared import kafka
from shared.cli.output import console
from shared.settings import get_settings

PROBE_TOPIC = "rcm-broker-stall-probe"


async def _measure(victim: str, before: float, after: float, every: float) -> dict[str, object]:
    await kafka.ensure_topics([PROBE_TOPIC])
    producer = kafka.make_producer(linger_ms=0)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(PROBE_TOPIC))
        acked: dict[int, list[float]] = defaultdict(list)
        stop = asyncio.Event()

        async def write(p: int) -> None:
            while not stop.is_set():
                try:
                    await producer.send_and_wait(PROBE_TOPIC, b"probe", partition=p)
                    acked[p].append(time.monotonic())
                except KafkaError:  # the batch expired: sent again, the gap counts on
                    await asyncio.sleep(0.1)
                    continue
                await asyncio.sleep(every)

        writers = [asyncio.create_task(write(p)) for p in partitions]
        await asyncio.sleep(before)
        node = {"kafka": 1, "kafka-2": 2, "kafka-3": 3}[victim]
        cluster = producer.client.cluster
        led = [p for p in partitions if cluster.leader_for_partition(TopicPartition(PROBE_TOPIC, p)) == node]
        killed_at = time.monotonic()
        await asyncio.to_thread(stack.kill9, victim)
        await asyncio.sleep(after)
        stop.set()
        await asyncio.gather(*writers, return_exceptions=True)
    finally:
        await producer.stop()

    def stall(p: int) -> float:
        times = [killed_at, *(t for t in acked[p] if t > killed_at)]
        return round(max(b - a for a, b in itertools.pairwise(times)) if len(times) > 1 else after, 1)

    led_stalls = [stall(p) for p in led]
    other_stalls = [stall(p) for p in partitions if p not in led]
    return {
        "victim": victim,
        "partitions_led": len(led),
        "led_max_s": max(led_stalls, default=0.0),
        "led_median_s": statistics.median(led_stalls) if led_stalls else 0.0,
        "others_max_s": max(other_stalls, default=0.0),
        "every_s": every,
    }


def broker_stall(
    victim: str = typer.Option("kafka-2", "--victim", help="kafka (node 1), kafka-2 or kafka-3"),
    before: float = typer.Option(10, "--before", help="seconds of writes before the kill"),
    after: float = typer.Option(40, "--after", help="seconds of writes after it"),
    every: float = typer.Option(0.1, "--every", help="seconds between one partition's writes"),
) -> None:
    """Kill one of three brokers while every partition is written to; print each partition
    group's stall (the partitions it led, the others) as JSON."""
    if stack.cluster_size() < 3 or get_settings().topic_replication_factor < 3:
        raise typer.BadParameter("needs the three-node cluster (make up BROKERS=3)")
    try:
        result = asyncio.run(_measure(victim, before, after, every))
    finally:
        stack.broker_start()  # the killed node back, whatever happened
    console.print(json.dumps(result))
