"""The Postgres server's log carries no patient data (issue 12): a statement that fails on a
value — here a visit's JSON that does not parse — is logged by its error message alone, without
the DETAIL, CONTEXT or statement lines that would quote the value."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import asyncpg
import pytest

from shared.settings import get_settings

POSTGRES_LOG = Path(get_settings().secrets_dir).parent / "postgres" / "postgres.log"


async def test_a_failing_statement_leaves_its_values_out_of_the_server_log(conn: asyncpg.Connection) -> None:
    if not POSTGRES_LOG.exists():
        pytest.skip("this stack's Postgres log is not under .run (a server started elsewhere)")
    start = POSTGRES_LOG.stat().st_size
    sentinel = "Synthetic" + secrets.token_hex(6)  # stands for a patient's name
    with pytest.raises(asyncpg.InvalidTextRepresentationError):
        await conn.fetchval("SELECT $1::text::jsonb", '{"patient": {"last_name": ' + sentinel + "}}")
    with pytest.raises(asyncpg.UniqueViolationError):  # a key's value is quoted in DETAIL when verbose
        await conn.execute("CREATE TEMP TABLE t (name text PRIMARY KEY)")
        await conn.execute("INSERT INTO t VALUES ($1), ($1)", sentinel)
    await asyncio.sleep(1.0)  # the logging collector writes behind
    written = POSTGRES_LOG.read_bytes()[start:].decode(errors="replace")
    assert "invalid input syntax for type json" in written  # the errors were logged ...
    assert "duplicate key value violates unique constraint" in written
    assert sentinel not in written  # ... without the values
