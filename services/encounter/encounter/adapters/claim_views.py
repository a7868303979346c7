"""Postgres: the claims read model (encounter.claim_views, encounter.claim_adjudications) the FHIR
Claim and ClaimResponse lookups read, fed by the visit-state agent from `claims` and `remittances`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from encounter.domain.fhir_search import MAX_RESULTS, ClaimQuery


class ClaimViews:
    """Writes of the read model: the latest version of each claim and of its adjudication."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record_claims(self, claims: list[dict[str, Any]]) -> None:
        await self.conn.executemany(
            """INSERT INTO encounter.claim_views AS c
                   (claim_id, visit_id, patient_id, billing_npi, billing_tin, claim, occurred_at)
               VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz)
               ON CONFLICT (claim_id) DO UPDATE SET claim = EXCLUDED.claim, occurred_at = EXCLUDED.occurred_at,
                   billing_npi = EXCLUDED.billing_npi, billing_tin = EXCLUDED.billing_tin
               WHERE EXCLUDED.occurred_at >= c.occurred_at""",
            [(c["claim_id"], c["visit_id"], c["patient_id"], c["billing_npi"], c["billing_tin"],
              orjson.dumps(c).decode(), _time(c["created"])) for c in claims],
        )  # fmt: skip

    async def record_adjudications(self, remittances: list[dict[str, Any]]) -> None:
        await self.conn.executemany(
            """INSERT INTO encounter.claim_adjudications AS a (claim_id, visit_id, remittance, occurred_at)
               VALUES ($1, $2, $3::jsonb, $4::timestamptz)
               ON CONFLICT (claim_id) DO UPDATE SET remittance = EXCLUDED.remittance, occurred_at = EXCLUDED.occurred_at
               WHERE EXCLUDED.occurred_at >= a.occurred_at""",
            [(r["claim_id"], r["visit_id"], orjson.dumps(r).decode(), _time(r["created"])) for r in remittances],
        )


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@dataclass(frozen=True)
class FoundClaim:
    claim: dict[str, Any]
    remittance: dict[str, Any] | None
    state: str
    reason: str | None
    npi: str  # the facility the visit was accepted for (or, accepted before that was kept, the claim's)
    tin: str


async def find_claims(conn: asyncpg.Connection, query: ClaimQuery) -> list[FoundClaim]:
    rows = await conn.fetch(
        """SELECT c.claim, a.remittance, coalesce(s.state, 'billed') AS state, s.reason,
                  coalesce(v.billing_npi, c.billing_npi) AS npi, coalesce(v.billing_tin, c.billing_tin) AS tin
           FROM encounter.claim_views c
           LEFT JOIN encounter.claim_adjudications a ON a.claim_id = c.claim_id
           LEFT JOIN encounter.visit_states s ON s.visit_id = c.visit_id
           LEFT JOIN encounter.accepted_visits v ON v.visit_id = c.visit_id
           WHERE ($1::text IS NULL OR c.visit_id = $1) AND ($2::text IS NULL OR c.claim_id = $2)
             AND ($3::text IS NULL OR c.claim ->> 'patient_control_number' = $3)
           ORDER BY c.claim_id LIMIT $4""",
        query.visit_id,
        query.claim_id,
        query.patient_control_number,
        MAX_RESULTS,
    )
    return [
        FoundClaim(orjson.loads(r["claim"]), orjson.loads(r["remittance"]) if r["remittance"] else None,
                   r["state"], r["reason"], r["npi"], r["tin"])
        for r in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class VisitFacility:
    """Where a visit stands and the facility it bills under (None: accepted before it was kept,
    or never through intake)."""

    state: str
    reason: str | None
    npi: str | None
    tin: str | None


async def visit_facility(conn: asyncpg.Connection, visit_id: str) -> VisitFacility | None:
    row = await conn.fetchrow(
        """SELECT coalesce(s.state, 'accepted') AS state, s.reason,
                  coalesce(v.billing_npi, c.billing_npi) AS npi, coalesce(v.billing_tin, c.billing_tin) AS tin,
                  v.visit_id AS accepted, s.visit_id AS tracked
           FROM (SELECT $1::text AS visit_id) q
           LEFT JOIN encounter.accepted_visits v ON v.visit_id = q.visit_id
           LEFT JOIN encounter.visit_states s ON s.visit_id = q.visit_id
           LEFT JOIN LATERAL (SELECT billing_npi, billing_tin FROM encounter.claim_views
                              WHERE visit_id = q.visit_id LIMIT 1) c ON true""",
        visit_id,
    )
    if row is None or (row["accepted"] is None and row["tracked"] is None):
        return None
    return VisitFacility(row["state"], row["reason"], row["npi"], row["tin"])
