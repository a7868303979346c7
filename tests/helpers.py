"""Helpers for integration and e2e tests: read topics from given offsets, wait for a condition,
and authenticate as the services' callers do (docs/security.md): SENDER is the demo sender that
`rcm init` registers (client credentials with a signed assertion, over HTTP); CODER, BILLER and
AUDITOR are test people with that role, their tokens issued as `rcm login` issues them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from functools import cache, lru_cache

import httpx
import orjson

from shared import db, tls
from shared.security import issuer, store
from shared.security.credentials import ClientCredentials, TokenCache
from shared.settings import get_settings
from shared.topic_reader import read_after

TEST_PASSWORD = "synthetic-test-password"  # test people only, on a local stack


class Bearer(httpx.Auth):
    """httpx auth: a fresh token whenever the one in hand is about to expire."""

    def __init__(self, token: Callable[[], str]) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


@cache
def _sender_tokens() -> TokenCache:
    return TokenCache(ClientCredentials.read())


def sender_token() -> str:
    return _sender_tokens().token()


def _in_thread(work: Callable[[], Awaitable[str]]) -> str:
    """Run a coroutine to completion from sync code, also when called inside a running loop."""
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work())))
    thread.start()
    thread.join()
    return result[0]


@cache
def user_token(role: str, name: str | None = None) -> str:
    """A test person with `role` (several: "coder,biller"; created once), logged in."""
    username = name or f"test-{role}"
    roles = role.split(",")

    async def work() -> str:
        conn = await db.connect()
        try:
            if await conn.fetchval("SELECT 1 FROM security.users WHERE username = $1", username) is None:
                await store.add_user(conn, username, TEST_PASSWORD, roles)
            token = await issuer.user_token(conn, username, TEST_PASSWORD)
            assert token is not None, f"test user {username} could not log in"
            return token
        finally:
            await conn.close()

    return _in_thread(work)


def as_person(role: str) -> dict[str, str]:
    """Environment for an `rcm` command run by a logged-in person with `role` (RCM_TOKEN)."""
    return {**os.environ, "RCM_TOKEN": user_token(role)}


SENDER = Bearer(sender_token)
CODER = Bearer(lambda: user_token("coder"))
BILLER = Bearer(lambda: user_token("biller"))
AUDITOR = Bearer(lambda: user_token("auditor"))


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


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker a test started: SIGTERM, then SIGKILL if it has not left within a minute."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
