"""The migration runner, on the real Postgres: applies once, in order, and refuses edited history."""

from pathlib import Path

import pytest

from shared.migrations import MigrationError, migrate


async def test_applies_in_order_once_and_refuses_an_edited_file(tmp_path: Path, conn, run_token: str) -> None:  # type: ignore[no-untyped-def]
    service = f"test_{run_token.lower()}"
    (tmp_path / "001_create.sql").write_text(f"CREATE SCHEMA {service}; CREATE TABLE {service}.t (x int);")
    (tmp_path / "002_add.sql").write_text(f"ALTER TABLE {service}.t ADD COLUMN y int;")
    try:
        assert await migrate(conn, service, tmp_path) == ["001_create.sql", "002_add.sql"]
        assert await migrate(conn, service, tmp_path) == []
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY ordinal_position",
            service,
        )
        assert [c["column_name"] for c in columns] == ["x", "y"]
        (tmp_path / "002_add.sql").write_text(f"ALTER TABLE {service}.t ADD COLUMN z int;")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, service, tmp_path)
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {service} CASCADE")
        await conn.execute("DELETE FROM public.schema_migrations WHERE service = $1", service)


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, conn, run_token: str) -> None:  # type: ignore[no-untyped-def]
    service = f"test_{run_token.lower()}"
    (tmp_path / "001_broken.sql").write_text(f"CREATE SCHEMA {service}; SELECT no_such_function();")
    try:
        with pytest.raises(Exception, match="no_such_function"):
            await migrate(conn, service, tmp_path)
        assert await conn.fetchval("SELECT count(*) FROM public.schema_migrations WHERE service = $1", service) == 0
        assert not await conn.fetchval("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", service)
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {service} CASCADE")
