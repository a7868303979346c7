"""The identity store (Postgres schema `security`): the issuer's keys, clients and users.
Passwords are kept as argon2id hashes (argon2-cffi); clients register a public key only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.security import tokens
from shared.security.policy import Principal, scopes_of_roles

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def signing_key(conn: asyncpg.Connection) -> tokens.KeyPair:
    """The key that signs new tokens; made on first use (by `rcm init`, or an admin's command)."""
    row = await conn.fetchrow(
        "SELECT kid, private_pem, public_jwk FROM security.signing_keys WHERE retired_at IS NULL "
        "ORDER BY created_at DESC LIMIT 1"
    )
    if row is None:
        return await rotate_signing_key(conn)
    return tokens.KeyPair(row["kid"], row["private_pem"], row["public_jwk"])


async def ensure_signing_key(conn: asyncpg.Connection) -> None:
    """`rcm init` (as the admin): the first signing key exists before any service issues a token —
    the services' own roles may read keys, not make them (shared/security/migrations/002)."""
    await signing_key(conn)


async def rotate_signing_key(conn: asyncpg.Connection) -> tokens.KeyPair:
    """A new signing key; the old ones verify what they signed until it expires, then drop out."""
    key = tokens.new_key_pair()
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('security.signing_keys'))")
        await conn.execute("UPDATE security.signing_keys SET retired_at = now() WHERE retired_at IS NULL")
        await conn.execute(
            "INSERT INTO security.signing_keys (kid, private_pem, public_jwk) VALUES ($1, $2, $3)",
            key.kid,
            key.private_pem,
            key.public_jwk,
        )
    return key


async def verifying_keys(conn: asyncpg.Connection) -> dict[str, dict[str, Any]]:
    """Public keys (JWK by kid) that may have signed a token still valid: the JWKS."""
    since = datetime.now(UTC) - timedelta(seconds=tokens.USER_TOKEN_SECONDS)
    rows = await conn.fetch(
        "SELECT kid, public_jwk FROM security.signing_keys WHERE retired_at IS NULL OR retired_at > $1", since
    )
    return {r["kid"]: r["public_jwk"] for r in rows}


async def add_client(
    conn: asyncpg.Connection,
    client_id: str,
    name: str,
    public_jwk: dict[str, Any],
    scopes: list[str],
    facilities: list[str],
    hl7_facilities: list[str],
    rate_per_second: float = 50.0,
    burst: int = 100,
) -> None:
    await conn.execute(
        """INSERT INTO security.clients (client_id, name, public_jwk, scopes, facilities, hl7_sending_facility,
                                         rate_per_second, burst)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        client_id,
        name,
        public_jwk,
        scopes,
        facilities,
        ",".join(sorted(hl7_facilities)) or None,
        rate_per_second,
        burst,
    )


async def revoke(conn: asyncpg.Connection, table: str, key: str) -> bool:
    column = {"clients": "client_id", "users": "username"}[table]
    done = await conn.execute(
        f"UPDATE security.{table} SET revoked_at = now() WHERE {column} = $1 AND revoked_at IS NULL", key
    )
    return str(done).endswith(" 1")


async def client(conn: asyncpg.Connection, client_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM security.clients WHERE client_id = $1 AND revoked_at IS NULL", client_id)


async def list_rows(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    if table == "clients":
        return await conn.fetch(
            "SELECT client_id, name, scopes, facilities, hl7_sending_facility, rate_per_second, created_at, "
            "revoked_at FROM security.clients ORDER BY created_at"
        )
    return await conn.fetch("SELECT username, roles, created_at, revoked_at FROM security.users ORDER BY created_at")


async def add_user(conn: asyncpg.Connection, username: str, password: str, roles: list[str]) -> None:
    await conn.execute(
        "INSERT INTO security.users (username, password_hash, roles) VALUES ($1, $2, $3)",
        username,
        hash_password(password),
        roles,
    )


async def check_password(conn: asyncpg.Connection, username: str, password: str) -> list[str] | None:
    """The user's roles when the password matches an active user; None otherwise (either way alike)."""
    row = await conn.fetchrow(
        "SELECT password_hash, roles FROM security.users WHERE username = $1 AND revoked_at IS NULL", username
    )
    try:
        if row is None:
            _hasher.hash(password)  # the same work as a real check: no timing answer to "does this user exist"
            return None
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return list(row["roles"])


async def remember_assertion(conn: asyncpg.Connection, client_id: str, jti: str, exp: int) -> bool:
    """False when this assertion was used before (a replay)."""
    await conn.execute("DELETE FROM security.used_assertions WHERE expires_at < now()")
    done = await conn.execute(
        "INSERT INTO security.used_assertions (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) "
        "ON CONFLICT DO NOTHING",
        client_id,
        jti,
        exp,
    )
    return str(done).endswith(" 1")


async def principal(conn: asyncpg.Connection, kind: str, name: str) -> Principal | None:
    """The active client or user behind a verified token (None: unknown or revoked)."""
    if kind == "client":
        row = await client(conn, name)
        if row is None:
            return None
        hl7 = row["hl7_sending_facility"]
        return Principal(
            name=name,
            kind=kind,
            scopes=frozenset(row["scopes"]),
            facilities=frozenset(row["facilities"]),
            hl7_sending_facility=hl7,
            rate_per_second=row["rate_per_second"],
            burst=row["burst"],
        )
    user = await conn.fetchrow("SELECT roles FROM security.users WHERE username = $1 AND revoked_at IS NULL", name)
    if user is None:
        return None
    roles = list(user["roles"])
    return Principal(name=name, kind=kind, scopes=frozenset(scopes_of_roles(roles)), roles=tuple(roles))


async def hl7_sender(conn: asyncpg.Connection, sending_facility: str) -> Principal | None:
    """The active client bound to an HL7 sending facility (MSH-4), for MLLP, which has no bearer token."""
    rows = await conn.fetch(
        "SELECT client_id FROM security.clients WHERE revoked_at IS NULL AND $1 = ANY(string_to_array("
        "hl7_sending_facility, ','))",
        sending_facility,
    )
    if len(rows) != 1:
        return None
    return await principal(conn, "client", rows[0]["client_id"])
