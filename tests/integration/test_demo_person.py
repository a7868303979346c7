"""`make demo`'s first log-in: `rcm init` registers a demo person who codes, bills and audits,
with a password only the owner of .run can read, and that password logs in."""

from __future__ import annotations

import stat

import asyncpg
import orjson

from shared.security import issuer
from shared.security.credentials import credentials_dir


async def test_the_demo_person_logs_in_with_the_password_init_wrote(conn: asyncpg.Connection) -> None:
    path = credentials_dir() / "demo-person.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    person = orjson.loads(path.read_bytes())
    assert await issuer.user_token(conn, person["username"], person["password"]) is not None
    assert await issuer.user_token(conn, person["username"], person["password"] + "x") is None
    roles = await conn.fetchval("SELECT roles FROM security.users WHERE username = $1", person["username"])
    assert {"coder", "biller"} <= set(roles)
