"""What `rcm init` registers for `make demo`: the demo sender, a client for the synthetic
practices (bench/synthetic.py) and the HL7 sending facilities the encounter knows, its
credentials written to `.run/credentials/demo-sender.json`; and a demo person who codes, bills
and audits, to log in to the console with, the password written to
`.run/credentials/demo-person.json` (both git-ignored, owner-only)."""

from __future__ import annotations

import os
import secrets

import asyncpg
import orjson

from bench.synthetic import SYNTHETIC_PRACTICES
from encounter.adapters.reference import load_facilities
from shared.cli.output import console
from shared.security import store
from shared.security.cli import register_client
from shared.security.credentials import DEMO_SENDER, ClientCredentials, credentials_dir
from shared.security.policy import SENDER_SCOPES

# the tests and `rcm publish` send in bursts; an EHR's real client gets the default 50/s
DEMO_RATE, DEMO_BURST = 500.0, 1000


DEMO_PERSON, DEMO_ROLES = "demo", ["coder", "biller", "auditor"]


async def register_demo(conn: asyncpg.Connection) -> None:
    await register_demo_sender(conn)
    await register_demo_person(conn)


async def register_demo_person(conn: asyncpg.Connection) -> None:
    """The console's first log-in without a terminal: `make demo` prints where its password is."""
    path = credentials_dir() / "demo-person.json"
    known = await conn.fetchval("SELECT revoked_at IS NULL FROM security.users WHERE username = $1", DEMO_PERSON)
    if path.exists() and known:
        return
    password = secrets.token_urlsafe(12)
    if known is None:
        await store.add_user(conn, DEMO_PERSON, password, DEMO_ROLES)
    else:  # the file is gone (or the person revoked): a new password, active again
        await conn.execute(
            "UPDATE security.users SET password_hash = $2, revoked_at = NULL WHERE username = $1",
            DEMO_PERSON,
            store.hash_password(password),
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(orjson.dumps({"username": DEMO_PERSON, "password": password, "roles": DEMO_ROLES}))
    console.print(f"demo person '{DEMO_PERSON}' ({', '.join(DEMO_ROLES)}) registered; password in {path}")


async def register_demo_sender(conn: asyncpg.Connection) -> None:
    path = credentials_dir() / f"{DEMO_SENDER}.json"
    if path.exists():
        try:
            if await store.client(conn, ClientCredentials.read(path).client_id) is not None:
                return
        except (TypeError, ValueError):
            pass  # unreadable: registered afresh below
    hl7 = load_facilities()
    facilities = sorted({p["npi"] for p in SYNTHETIC_PRACTICES} | {str(f["npi"]) for f in hl7.values()})
    for row in await conn.fetch(
        "SELECT client_id FROM security.clients WHERE name = $1 AND revoked_at IS NULL", DEMO_SENDER
    ):
        await store.revoke(conn, "clients", row["client_id"])  # an earlier demo sender whose file is gone
    creds = await register_client(conn, DEMO_SENDER, SENDER_SCOPES, facilities, sorted(hl7), DEMO_RATE, DEMO_BURST)
    creds.write(path)
    console.print(f"demo sender {creds.client_id} registered; credentials in {path}")
