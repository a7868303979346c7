"""Helpers for integration and e2e tests: read topics from given offsets, wait for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache

import httpx
import orjson

from shared import tls
from shared.settings import get_settings
from shared.topic_reader import read_after


def intake_url(path: str = "/visits") -> str:
    return tls.url(get_settings().encounter_port, path)


def service_url(port: int, path: str = "") -> str:
    """https://127.0.0.1:PORT/path — every service's web port, /metrics and supervisors included."""
    return tls.url(port, path)


@lru_cache(maxsize=1)
def web() -> httpx.Client:
    """The tests' HTTP client: trusts the local CA (shared/tls.py), nothing else."""
    return httpx.Client(verify=tls.http_verify())


def async_web(**options: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=tls.http_verify(), **options)  # type: ignore[arg-type]


async def open_tls_connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw connection to a service port (MLLP, or HTTP byte by byte), over TLS unless plain
    HTTP is switched on."""
    host = get_settings().web_host
    return await asyncio.open_connection(host, port, ssl=None if tls.http_enabled_insecure() else tls.client_context())


async def read_since(topic: str, since: dict[int, int], until_idle: float = 1.0) -> list[dict]:
    """Every event on `topic` after the offsets in `since`, up to the current end."""
    records = await read_after(topic, since, idle_ms=int(until_idle * 1000))
    return [{"raw": r.value, "headers": dict(r.headers), "partition": r.partition} for r in records]


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
