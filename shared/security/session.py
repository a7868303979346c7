"""A person at the command line: `rcm login` keeps their access token in an owner-only file
(`.run/credentials/session.token`, or RCM_TOKEN in the environment); commands that read patient
data check it — signature, expiry, the user still active, the scope — and record the read."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path

import asyncpg
import typer

from shared import db
from shared.security import access_log, store, tokens
from shared.security.access_log import Access
from shared.security.credentials import credentials_dir
from shared.security.policy import Principal


def session_file() -> Path:
    return credentials_dir() / "session.token"


def save_session(token: str) -> Path:
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return path


def _token() -> str:
    if os.environ.get("RCM_TOKEN"):
        return os.environ["RCM_TOKEN"]
    try:
        return session_file().read_text().strip()
    except FileNotFoundError:
        return ""


class NotAllowed(Exception):
    pass


async def principal_for(conn: asyncpg.Connection, scope: str) -> Principal:
    """The logged-in person, when their token verifies and carries `scope`; NotAllowed otherwise."""
    token = _token()
    if not token:
        raise NotAllowed("log in first: rcm login --user NAME (or set RCM_TOKEN)")
    try:
        jwk = (await store.verifying_keys(conn)).get(tokens.token_key_id(token))
        if jwk is None:
            raise NotAllowed("the session token is not signed by this issuer; log in again")
        claims = tokens.verify_access_token(token, jwk)
    except tokens.TokenError as exc:
        raise NotAllowed(f"{exc}; log in again: rcm login --user NAME") from None
    found = await store.principal(conn, claims["kind"], claims["sub"])
    if found is None:
        raise NotAllowed(f"this {claims['kind']} is revoked or unknown")
    if scope not in found.scopes or scope not in str(claims.get("scope", "")).split():
        raise NotAllowed(f"this {found.kind} does not hold the scope {scope!r}")
    return Principal(found.name, found.kind, found.scopes, found.roles, source="cli")


async def allowed(conn: asyncpg.Connection, scope: str) -> Principal:
    """For commands: the person, or the command stops with the reason (exit 3)."""
    try:
        return await principal_for(conn, scope)
    except NotAllowed as exc:
        typer.echo(f"not allowed: {exc}", err=True)
        raise typer.Exit(3) from None


async def record_read(
    conn: asyncpg.Connection, principal: Principal, service: str, what: str, patients: list[str], **detail: object
) -> None:
    await access_log.record(conn, Access.by(principal, service, access_log.READ, what, patients, **detail))


def operator(service: str = "rcm") -> Principal:
    """Who runs an administrative command (clients, users, keys): the operating-system account that
    holds the database credentials — recorded as such."""
    name = os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"
    return Principal(name=f"operator:{name}", kind="operator", scopes=frozenset(), source="cli")


def require(scope: str) -> Principal:
    """For a command, before it reads: the logged-in person holding `scope`, or exit 3 with why."""

    async def go() -> Principal:
        conn = await db.connect()
        try:
            return await allowed(conn, scope)
        finally:
            await conn.close()

    return asyncio.run(go())


def recorded(principal: Principal, service: str, what: str, patients: Iterable[str], **detail: object) -> None:
    """For a command, once it has read: the read on the access log."""

    async def go() -> None:
        conn = await db.connect()
        try:
            await record_read(conn, principal, service, what, sorted(set(patients)), **detail)
        finally:
            await conn.close()

    asyncio.run(go())
