"""Postgres connections (asyncpg): one pool factory with jsonb as Python objects."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

from rcmflow.shared.migrations import migrate
from rcmflow.shared.settings import get_settings


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def create_pool(database_url: str | None = None, **kwargs: object) -> asyncpg.Pool:
    settings = get_settings()
    size = int(kwargs.pop("max_size", settings.db_pool_size))  # type: ignore[arg-type]
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


class Database:
    """A service's database: created, migrated and pooled on first use, once per process."""

    def __init__(self, service: str, migrations_dir: Path) -> None:
        self.service = service
        self.migrations_dir = migrations_dir
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    await ensure_database()
                    pool = await create_pool()
                    async with pool.acquire() as conn:
                        await migrate(conn, self.service, self.migrations_dir)
                    self._pool = pool
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
