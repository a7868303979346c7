"""Postgres connections (asyncpg): one pool factory with jsonb as Python objects, over TLS with
the local CA (shared/tls.py), each role with its generated password (shared/credentials.py).

Roles (shared/db_roles.py): DATABASE_URL names the admin role (`rcm init`, tools, tests); each
service connects as the role named after its schema, `rcm status`/`audit` as the read-only
reporting role. `<SCHEMA>_DATABASE_URL` / `REPORTING_DATABASE_URL` override them (compose)."""

from __future__ import annotations

import asyncio
import os
import ssl
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import orjson

from shared import credentials, tls
from shared.db_roles import REPORTING_ROLE
from shared.migrations import migrate
from shared.settings import get_settings


def role_url(role: str, database_url: str | None = None) -> str:
    """DATABASE_URL as another role (its password comes from .run/secrets when connecting)."""
    parts = urlsplit(database_url or get_settings().database_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def service_url(schema: str) -> str:
    """Where a service connects: as its own role, owner of its schema only."""
    return os.environ.get(f"{schema.upper()}_DATABASE_URL") or role_url(schema)


def reporting_url() -> str:
    """Read-only, every schema: `rcm status`, audit and KPI reports."""
    return os.environ.get("REPORTING_DATABASE_URL") or role_url(REPORTING_ROLE)


def _with_password(url: str) -> str:
    """A URL naming a role without a password takes the one generated for it (pg-<role>)."""
    parts = urlsplit(url)
    if parts.username and parts.password is None:
        secret = credentials.known_password(f"pg-{parts.username}")
        if secret:
            netloc = f"{quote(parts.username)}:{quote(secret)}@{parts.netloc.rsplit('@', 1)[-1]}"
            return urlunsplit(parts._replace(netloc=netloc))
    return url


def _ssl() -> dict[str, ssl.SSLContext]:
    return {"ssl": tls.client_context()} if get_settings().database_tls else {}


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(_with_password(url), **_ssl())


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
    options: dict[str, object] = {**_ssl(), **kwargs}
    return await asyncpg.create_pool(
        _with_password(database_url or settings.database_url),
        min_size=1,
        max_size=size,
        init=_init_connection,
        **options,
    )


async def connect(database_url: str | None = None) -> asyncpg.Connection:
    conn = await _connect(database_url or get_settings().database_url)
    await _init_connection(conn)
    return conn


async def ensure_database(database_url: str | None = None) -> bool:
    """Create the database named in the URL when it is missing. Returns True if it created it."""
    url = database_url or get_settings().database_url
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = await _connect(admin_url)
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
    conn = await _connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


class Database:
    """A service's database: created, migrated and pooled on first use, once per process."""

    def __init__(self, service: str, migrations_dir: Path, database_url: str | None = None) -> None:
        """No URL: the live database as the service's own role (service_url); a scratch
        database (bench, rebuild) is given by URL and used as that URL's role."""
        self.service = service
        self.migrations_dir = migrations_dir
        self.database_url = database_url or service_url(service)
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
