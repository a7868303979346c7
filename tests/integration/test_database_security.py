"""Postgres locked down (45 CFR 164.312(a), (d), (e)) on the running stack: every connection
needs a password and TLS, each service's role reaches its own schema only, the reporting role
reads and never writes, and the server's files are its own. Fails if any control is removed."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from shared import db, tls
from shared.db_roles import REPORTING_ROLE, SERVICE_ROLES
from shared.settings import get_settings

RUN_DIR = Path(get_settings().secrets_dir).parent


async def test_a_connection_without_a_password_is_refused() -> None:
    url = db.role_url("postgres")  # the admin, without the password it is given when connecting
    with pytest.raises((asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)):
        await asyncpg.connect(url, ssl=tls.client_context(), password="")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(url, ssl=tls.client_context(), password="not-the-password")


async def test_a_connection_without_tls_is_refused() -> None:
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(db._with_password(get_settings().database_url), ssl=False)


@pytest.mark.parametrize("role", SERVICE_ROLES)
async def test_a_service_role_reaches_its_own_schema_only(role: str) -> None:
    conn = await db.connect(db.service_url(role))
    try:
        assert await conn.fetchval("SELECT current_user") == role
        tables = await conn.fetch("SELECT table_schema, table_name FROM information_schema.tables "
                                  "WHERE table_schema = ANY($1::text[])", list(SERVICE_ROLES))  # fmt: skip
        own = [t for t in tables if t["table_schema"] == role]
        assert own, f"{role} sees none of its own tables"
        await conn.fetchval(f'SELECT count(*) FROM {role}."{own[0]["table_name"]}"')
        for other in (r for r in SERVICE_ROLES if r != role):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {other}.{await any_table(other)} LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE SCHEMA intruder")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE public.intruder (x int)")
    finally:
        await conn.close()


async def any_table(schema: str) -> str:
    admin = await db.connect()
    try:
        name: str = await admin.fetchval(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1 LIMIT 1", schema
        )
        return f'"{name}"'
    finally:
        await admin.close()


async def test_the_reporting_role_reads_every_schema_and_writes_none() -> None:
    conn = await db.connect(db.reporting_url())
    try:
        assert await conn.fetchval("SELECT current_user") == REPORTING_ROLE
        for schema in SERVICE_ROLES:
            table = await any_table(schema)
            await conn.fetch(f"SELECT * FROM {schema}.{table} LIMIT 1")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"DELETE FROM {schema}.{table}")
    finally:
        await conn.close()


def test_the_server_files_and_secrets_are_private() -> None:
    pg = RUN_DIR / "postgres"
    for folder in (pg, pg / "data", pg / "socket", RUN_DIR / "secrets"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for file in [pg / "postgres.log", *(RUN_DIR / "secrets").iterdir(), *(pg / "tls").glob("*.key")]:
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file
    assert (pg / "socket" / f".s.PGSQL.{urlsplit(get_settings().database_url).port}").is_socket()
