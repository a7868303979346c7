"""The one migration runner: plain SQL files `NNN_name.sql`, applied in order, once, per service.

Each service keeps its migrations in `services/<name>/<package>/adapters/migrations/` and owns one
Postgres schema. Several processes may start at once (coder workers): an advisory lock
makes them take turns.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import asyncpg

_FILE = re.compile(r"^(\d{3,})_[\w-]+\.sql$")
_LOCK_KEY = 0x52434D46  # "RCMF"

_LEDGER = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    service    text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
)
"""


# A service whose name (and schema) changed: new name -> old name. Before migrating, what was
# applied under the old name is booked under the new one; the service's next migration renames
# the schema itself (payer_sim's 002).
RENAMED = {"payer_sim": "payer"}


class MigrationError(RuntimeError):
    pass


def migration_files(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNN_name.sql")
        found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return found


async def _up_to_date(conn: asyncpg.Connection, service: str, files: list[tuple[int, Path]]) -> bool:
    """Every migration applied, unchanged: read with SELECT alone, so a service's own role (which
    may not create anything, shared/db_roles.py) starts once `rcm init` has migrated."""
    if await conn.fetchval("SELECT to_regclass('public.schema_migrations')") is None:
        return False
    rows = await conn.fetch("SELECT version, checksum FROM public.schema_migrations WHERE service = $1", service)
    done = {r["version"]: r["checksum"] for r in rows}
    for version, path in files:
        if version not in done:
            return False
        if done[version] != hashlib.sha256(path.read_text().encode()).hexdigest():
            raise MigrationError(f"{service}/{path.name} changed after it was applied; add a new migration")
    return True


async def migrate(conn: asyncpg.Connection, service: str, directory: Path) -> list[str]:
    """Apply the pending migrations of one service. Returns the names applied."""
    if await _up_to_date(conn, service, migration_files(directory)):
        return []
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_LEDGER)
        if service in RENAMED:
            await conn.execute(
                """UPDATE public.schema_migrations SET service = $1 WHERE service = $2
                   AND NOT EXISTS (SELECT 1 FROM public.schema_migrations WHERE service = $1)""",
                service,
                RENAMED[service],
            )
        rows = await conn.fetch(
            "SELECT version, checksum, name FROM public.schema_migrations WHERE service = $1", service
        )
        done = {r["version"]: r for r in rows}
        for version, path in migration_files(directory):
            sql = path.read_text()
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if version in done:
                if done[version]["checksum"] != checksum:
                    raise MigrationError(f"{service}/{path.name} changed after it was applied; add a new migration")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO public.schema_migrations (service, version, name, checksum) VALUES ($1, $2, $3, $4)",
                    service,
                    version,
                    path.name,
                    checksum,
                )
            applied_now.append(path.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
