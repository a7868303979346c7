"""payer-sim's one name in Postgres: its schema is payer_sim, and a database migrated while it was
still called `payer` is carried over (bookkeeping moved, schema renamed) with nothing lost."""

from pathlib import Path

import pytest

from payer_sim.adapters import MIGRATIONS_DIR
from shared import migrations
from shared.migrations import migrate


async def test_the_live_schema_is_payer_sim(conn) -> None:  # type: ignore[no-untyped-def]
    schemas = {r["schema_name"] for r in await conn.fetch("SELECT schema_name FROM information_schema.schemata")}
    assert "payer_sim" in schemas and "payer" not in schemas
    booked = await conn.fetch("SELECT service, name FROM public.schema_migrations WHERE service LIKE 'payer%'")
    assert {r["service"] for r in booked} == {"payer_sim"}
    assert {r["name"] for r in booked} == {p.name for p in MIGRATIONS_DIR.glob("*.sql")}


async def test_a_database_migrated_under_the_old_name_is_renamed_and_keeps_its_rows(
    tmp_path: Path, conn, run_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    old, new = f"old_{run_token.lower()}", f"new_{run_token.lower()}"
    (tmp_path / "001_create.sql").write_text(f"CREATE SCHEMA {old}; CREATE TABLE {old}.t (x int);")
    try:
        assert await migrate(conn, old, tmp_path) == ["001_create.sql"]  # what the old code did
        await conn.execute(f"INSERT INTO {old}.t VALUES (7)")
        (tmp_path / "002_rename.sql").write_text(f"ALTER SCHEMA {old} RENAME TO {new};")
        monkeypatch.setitem(migrations.RENAMED, new, old)

        assert await migrate(conn, new, tmp_path) == ["002_rename.sql"]  # 001 not applied again
        assert await conn.fetchval(f"SELECT x FROM {new}.t") == 7
        rows = await conn.fetch(
            "SELECT service, version FROM public.schema_migrations WHERE service = ANY($1) ORDER BY version",
            [old, new],
        )
        assert [(r["service"], r["version"]) for r in rows] == [(new, 1), (new, 2)]
        assert await migrate(conn, new, tmp_path) == []
    finally:
        for schema in (old, new):
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute("DELETE FROM public.schema_migrations WHERE service = ANY($1)", [old, new])
