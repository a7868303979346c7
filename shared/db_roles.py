"""Postgres roles, created in this one place by `rcm init` (as the admin role of DATABASE_URL):
one login role per service, named after its schema and owning that schema alone, and a
read-only reporting role for `rcm status`, audit and KPI reports. Passwords are generated into
.run/secrets (shared/credentials.py); the server stores only their SCRAM-SHA-256 verifiers.

Grants for tables shared across services go in the migration that creates them, naming these
roles (they exist before any migration runs), e.g. an append-only log every service writes:
    GRANT USAGE ON SCHEMA access TO encounter, coder, biller, payer_sim, console, rcm_reporting;
    GRANT INSERT ON access.log TO encounter, coder, biller, payer_sim, console;
    GRANT SELECT ON access.log TO rcm_reporting;
A service's own tables need nothing: `secure_schema` hands its schema to its role and lets the
reporting role read it (also tables added later, by default privileges)."""

from __future__ import annotations

import re

import asyncpg

from shared import credentials

SERVICE_ROLES = ("encounter", "coder", "biller", "payer_sim", "console")  # = their schemas
REPORTING_ROLE = "rcm_reporting"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_PASSWORD = re.compile(r"^[A-Za-z0-9_-]+$")


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a role or schema name: {name!r}")
    return f'"{name}"'


async def ensure_role(conn: asyncpg.Connection, role: str, *, rotate: bool = False) -> None:
    """A login role with its generated password (set again each time: a rotated secret file wins)."""
    secret = credentials.password(f"pg-{role}", new=rotate)
    if not _PASSWORD.match(secret):  # the literal below is built from it; token_urlsafe makes these
        raise ValueError(f"the generated password of {role} holds characters it should not")
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    await conn.execute(f"{verb} ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{secret}'")


async def ensure_roles(conn: asyncpg.Connection, rotate: tuple[str, ...] = ()) -> None:
    """Every service role and the reporting role; only they (and the admin) may connect."""
    database = await conn.fetchval("SELECT current_database()")
    for role in (*SERVICE_ROLES, REPORTING_ROLE):
        await ensure_role(conn, role, rotate=role in rotate)
    await conn.execute(f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC")
    await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    roles = ", ".join(_ident(r) for r in (*SERVICE_ROLES, REPORTING_ROLE))
    await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {roles}")


async def secure_schema(conn: asyncpg.Connection, schema: str) -> None:
    """After a service's migrations: the schema and everything in it belong to the service's role;
    the reporting role may read it; nobody else may touch it."""
    if schema not in SERVICE_ROLES:
        return  # a schema no service owns (e.g. one shared by all) keeps its migration's grants
    role, s = _ident(schema), _ident(schema)
    await conn.execute(f"ALTER SCHEMA {s} OWNER TO {role}")
    await conn.execute(f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC")
    objects = await conn.fetch(
        """SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))""",
        schema,
    )  # sequences owned by a column (serial, identity) follow their table
    for relname, relkind in objects:
        kind = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}.get(relkind, "TABLE")
        await conn.execute(f'ALTER {kind} {s}."{relname}" OWNER TO {role}')
    for signature in await conn.fetch(
        "SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = $1",
        schema,
    ):
        await conn.execute(f"ALTER ROUTINE {signature['sig']} OWNER TO {role}")
    reporting = _ident(REPORTING_ROLE)
    await conn.execute(f"GRANT USAGE ON SCHEMA {s} TO {reporting}")
    await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {reporting}")
    await conn.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {role} IN SCHEMA {s} GRANT SELECT ON TABLES TO {reporting}")


async def grant_ledger(conn: asyncpg.Connection) -> None:
    """Every role reads the migration ledger: a service checks on start that it is up to date."""
    roles = ", ".join(_ident(r) for r in (*SERVICE_ROLES, REPORTING_ROLE))
    await conn.execute(f"GRANT SELECT ON public.schema_migrations TO {roles}")
