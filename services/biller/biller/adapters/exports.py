"""Read-only queries for `rcm export 837` and `rcm export fhir`: every claim sent, and the payer's
standing answer to each."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.schemas import ClaimSubmitted, RemittanceIssued


async def submissions_for_export(conn: asyncpg.Connection, since: datetime | None) -> list[tuple[date, ClaimSubmitted]]:
    rows = await conn.fetch(
        """SELECT created_at::date AS day, claim FROM biller.claim_submissions
           WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY created_at, claim_event_id""",
        since,
    )
    return [(r["day"], ClaimSubmitted.model_validate(r["claim"])) for r in rows]


async def next_interchange_number(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT nextval('biller.interchange_control_number')"))


async def claims_for_fhir(
    conn: asyncpg.Connection, since: datetime | None
) -> list[tuple[ClaimSubmitted, RemittanceIssued | None]]:
    """Every claim sent, with the payer's standing answer (the latest posting that is not a reversal)."""
    rows = await conn.fetch(
        """SELECT c.claim, (SELECT p.remittance FROM biller.postings p WHERE p.claim_id = c.claim_id
                              AND p.claim_status_code <> '22' ORDER BY p.posted_at DESC LIMIT 1) AS remittance
           FROM biller.claims c
           WHERE c.status <> 'rejected' AND ($1::timestamptz IS NULL OR c.created_at >= $1)
           ORDER BY c.created_at, c.claim_id""",
        since,
    )
    return [
        (ClaimSubmitted.model_validate(r["claim"]),
         RemittanceIssued.model_validate(r["remittance"]) if r["remittance"] else None)
        for r in rows
    ]  # fmt: skip
