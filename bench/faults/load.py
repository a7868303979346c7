"""Visits at a steady rate, either straight onto `visits` (as `rcm publish` does) or through the
encounter's intake API with a client that retries until it gets an answer (as an EHR would)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import aiohttp

from shared import tls
from shared.kafka import KafkaPublisher
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.schemas.common import utcnow
from shared.security.credentials import ClientCredentials, TokenCache, TokenRefused
from shared.settings import get_settings
from shared.unit_of_work import Outgoing

log = logging.getLogger(__name__)
PRODUCER = Producer(service="rcm-cli")


@dataclass
class Sent:
    """What the load generator did: visits handed over, retries, and when the intake last failed
    and next answered (for the encounter's recovery time)."""

    done: int = 0
    retries: int = 0
    failed_at: list[float] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)


async def _paced(visits: list[Visit], rate: float, send: object, sent: Sent) -> None:
    step = max(1, int(rate // 10))  # ~10 chunks a second
    started = time.perf_counter()
    for first in range(0, len(visits), step):
        chunk = visits[first : first + step]
        await send(chunk)  # type: ignore[operator]  # a coroutine function over a chunk
        sent.done += len(chunk)
        ahead = sent.done / rate - (time.perf_counter() - started)
        if ahead > 0:
            await asyncio.sleep(ahead)


async def to_topic(visits: list[Visit], rate: float, sent: Sent) -> None:
    """Onto `visits` with the idempotent producer; a chunk that fails (broker away longer than
    the producer waits) is sent again — the same event ids, so the stages see it once."""
    async with KafkaPublisher() as publisher:

        async def send(chunk: list[Visit]) -> None:
            while True:
                try:
                    await publisher.publish([Outgoing(VISITS, VisitReceived.of(v, utcnow(), PRODUCER)) for v in chunk])
                    return
                except Exception as exc:
                    sent.retries += 1
                    log.warning("publish failed (%s); sending the chunk again", type(exc).__name__)
                    await asyncio.sleep(1)

        await _paced(visits, rate, send, sent)


async def to_intake(visits: list[Visit], rate: float, sent: Sent) -> None:
    """POST /visits, one request per chunk, retried until answered 202 (a killed encounter
    answers nothing; the supervisor brings it back)."""
    url = tls.url(get_settings().encounter_port, "/visits")
    timeout = aiohttp.ClientTimeout(total=10)
    tokens = TokenCache(ClientCredentials.read())  # as the demo sender (docs/security.md)
    connector = aiohttp.TCPConnector(ssl=tls.http_verify())  # the local CA (shared/tls.py)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def send(chunk: list[Visit]) -> None:
            body = "[" + ",".join(v.model_dump_json() for v in chunk) + "]"
            failing = False
            while True:
                try:
                    headers = {"content-type": "application/json", **await asyncio.to_thread(tokens.headers)}
                    async with session.post(url, data=body, headers=headers) as resp:
                        if resp.status == 202:
                            if failing:
                                sent.answered_at.append(time.monotonic())
                            return
                        raise RuntimeError(f"intake answered {resp.status}")
                except (TimeoutError, aiohttp.ClientError, RuntimeError, OSError, TokenRefused) as exc:
                    if not failing:
                        sent.failed_at.append(time.monotonic())
                    failing = True
                    sent.retries += 1
                    log.debug("intake failed (%s); retrying", type(exc).__name__)
                    await asyncio.sleep(0.5)

        await _paced(visits, rate, send, sent)
