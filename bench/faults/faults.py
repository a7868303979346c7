"""The faults, one function each: inject, wait out the outage if there is one, and return the
time (monotonic) the fault ended — a kill ends at once (the supervisor must bring the process
back by itself); an outage ends when the harness brings the dependency back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.faults import stack
from shared.settings import get_settings

Inject = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class Row:
    name: str
    what: str  # the row's line in docs/reliability.md
    inject: Inject
    through_intake: bool = False  # visits go through POST /visits (else straight onto the topic)
    brokers: int = 1  # nodes the row needs


def kill9(name: str) -> Inject:
    async def inject() -> float:
        pid = stack.kill9(name)
        at = time.monotonic()
        await asyncio.to_thread(stack.wait_dead, pid)
        return at

    return inject


def kill9_again(name: str, times: int, running: float = 3.0) -> Inject:
    """kill -9 `times` times, each once the supervisor has brought the process back, its port
    answers and it has taken requests for `running` seconds: more kills land mid-request (the
    window between the broker's acknowledgement and the commit that the outbox closed). The
    fault ends at the last kill."""

    async def inject() -> float:
        at = time.monotonic()
        for n in range(times):
            pid = stack.kill9(name)
            at = time.monotonic()
            await asyncio.to_thread(stack.wait_dead, pid)
            if n + 1 < times:
                await asyncio.to_thread(stack.wait_restarted, name, pid, get_settings().encounter_port)
                await asyncio.sleep(running)
        return at

    return inject


def postgres_outage(seconds: float) -> Inject:
    async def inject() -> float:
        await asyncio.to_thread(stack.postgres_stop_immediate)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(stack.postgres_start)
        return time.monotonic()

    return inject


def kafka_kill9(down: float = 5.0) -> Inject:
    """Every node killed at once, back after `down` seconds (its own supervisor, in production)."""

    async def inject() -> float:
        for name in stack.brokers():
            stack.kill9(name)
        await asyncio.sleep(down)
        await asyncio.to_thread(stack.broker_start)
        return time.monotonic()

    return inject


def one_broker_killed(name: str = "kafka-2", down: float = 20.0) -> Inject:
    """One of three nodes killed; nothing may stall, so the fault 'ends' at the kill. It is
    started again after `down` seconds so the next row has three."""

    async def inject() -> float:
        stack.kill9(name)
        at = time.monotonic()
        await asyncio.sleep(down)
        await asyncio.to_thread(stack.broker_start)
        return at

    return inject


def rolling_broker_restart() -> Inject:
    async def inject() -> float:
        at = time.monotonic()
        for name in ("kafka", "kafka-2", "kafka-3"):
            await asyncio.to_thread(stack.broker_stop, name)
            await asyncio.to_thread(stack.broker_start)
            await asyncio.sleep(10)  # let the node catch up and rejoin the in-sync replicas
        return at

    return inject


def scale(variable: str, up: int, hold: float = 20.0) -> Inject:
    """A stage scaled 1 -> up mid-stream, then back to 1."""

    async def inject() -> float:
        try:
            await asyncio.to_thread(stack.services, "start", env={variable: str(up)})
            await asyncio.sleep(hold)
        finally:  # back to one worker even when the extra ones would not start
            await asyncio.to_thread(stack.services, "start", env={variable: "1"})
        return time.monotonic()

    return inject


def rows() -> list[Row]:
    return [
        Row("kill-encounter", "kill -9 encounter (visits on the topic)", kill9("svc-encounter")),
        Row("kill-coder", "kill -9 coder", kill9("svc-coder-0")),
        Row("kill-biller", "kill -9 biller", kill9("svc-biller-0")),
        Row("kill-payer", "kill -9 payer-sim", kill9("svc-payer-sim-0")),
        Row(
            "kill-encounter-mid-request",
            "kill -9 encounter mid-request, client retries",
            kill9("svc-encounter"),
            through_intake=True,
        ),
        Row(
            "kill-encounter-mid-request-x3",
            "kill -9 encounter mid-request three times, client retries",
            kill9_again("svc-encounter", 3),
            through_intake=True,
        ),
        Row("kafka-kill", "kill -9 Kafka (all nodes), back after 5 s", kafka_kill9()),
        Row("postgres-10s", "Postgres immediate stop, 10 s", postgres_outage(10)),
        Row("postgres-2min", "Postgres immediate stop, 2 min", postgres_outage(120)),
        Row("scale-coder", "coder 1 -> 2 -> 1 mid-stream", scale("CODERS", 2)),
        Row("scale-biller", "biller 1 -> 2 -> 1 mid-stream", scale("BILLERS", 2)),
        Row("scale-payer", "payer-sim 1 -> 2 -> 1 mid-stream", scale("PAYERS", 2)),
        Row(
            "scale-encounter",
            "encounter 1 -> 2 -> 1 mid-stream (shared port)",
            scale("ENCOUNTERS", 2),
            through_intake=True,
        ),
        Row("broker-kill", "kill -9 one of three brokers", one_broker_killed(), brokers=3),
        Row("broker-rolling", "rolling restart of three brokers", rolling_broker_restart(), brokers=3),
    ]
