"""Helpers for integration and e2e tests: read topics from given offsets, wait for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import orjson

from shared.settings import get_settings
from shared.topic_reader import read_after


def intake_url(path: str = "/visits") -> str:
    s = get_settings()
    return f"http://{s.web_host}:{s.encounter_port}{path}"


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
