"""Postgres connections (asyncpg): one pool factory with jsonb as Python objects."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

from shared.migrations import migrate
from shared.settings import get_settings


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def create_pool(
    database_url: str | None = None, *, max_size: int | None = None, **kwargs: object
) -> asyncpg.Pool:
    settings = get_settings()
    size = max_size or settings.db_pool_size
    return await asyncpg.create_pool(
        database_url or settings.database_url,
        min_size=1,
        max_size=size,
        init=_init_connection,
        **kwargs,
    )


async def connect(database_url: str | None = None) -> asyncpg.Connection:
    conn = await asyncpg.connect(database_url or get_settings().database_url)
    await _init_connection(conn)
    return conn


async def ensure_database(database_url: str | None = None) -> bool:
    """Create the database named in the URL when it is missing. Returns True if it created it."""
    url = database_url or get_settings().database_url
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin_url)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except asyncpg.DuplicateDatabaseError:
        return False
    finally:
        await conn.close()


def sibling_url(suffix: str, database_url: str | None = None) -> str:
    """The URL of a database beside the live one, e.g. rcmflow_rebuild."""
    parts = urlsplit(database_url or get_settings().database_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


async def recreate_database(url: str) -> None:
    """Drop and create a scratch database (never the live one: rebuilds and benchmarks use these)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if url == get_settings().database_url:
        raise ValueError("refusing to recreate the live database")
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


class Database:
    """A service's database: created, migrated and pooled on first use, once per process."""

    def __init__(self, service: str, migrations_dir: Path, database_url: str | None = None) -> None:
        self.service = service
        self.migrations_dir = migrations_dir
        self.database_url = database_url
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    await ensure_database(self.database_url)
                    pool = await create_pool(self.database_url)
                    async with pool.acquire() as conn:
                        await migrate(conn, self.service, self.migrations_dir)
                    self._pool = pool
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
