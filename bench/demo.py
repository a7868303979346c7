"""The demo sender `rcm init` registers (and `make demo` uses): a client for the synthetic
practices (bench/synthetic.py) and the HL7 sending facilities the encounter knows, its
credentials written to `.run/credentials/demo-sender.json` (git-ignored, owner-only)."""

from __future__ import annotations

import asyncpg

from bench.synthetic import SYNTHETIC_PRACTICES
from encounter.adapters.reference import load_facilities
from shared.cli.output import console
from shared.security import store
from shared.security.cli import register_client
from shared.security.credentials import DEMO_SENDER, ClientCredentials, credentials_dir
from shared.security.policy import SENDER_SCOPES

# the tests and `rcm publish` send in bursts; an EHR's real client gets the default 50/s
DEMO_RATE, DEMO_BURST = 500.0, 1000


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
