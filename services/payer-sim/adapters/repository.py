"""Postgres: accumulators and adjudications, changed together in one transaction."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from rcmflow.payer_sim.domain.model import Accumulator
from rcmflow.shared.schemas import ClaimSubmitted, RemittanceIssued


async def adjudicate_once(
    pool: asyncpg.Pool,
    claim: ClaimSubmitted,
    plan_id: str,
    build: Callable[[Accumulator], tuple[RemittanceIssued, Accumulator]],
) -> RemittanceIssued:
    """Adjudicate a claim submission exactly once; a redelivered claim gets the stored remittance.
    The member's accumulator row is locked, so two claims of one member never race."""
    member = (claim.payer_id, claim.coverage.member_id, claim.service_date.year)
    async with pool.acquire() as conn, conn.transaction():
        stored = await conn.fetchval(
            "SELECT remittance FROM payer.adjudications WHERE claim_event_id = $1", claim.event_id
        )
        if stored is not None:
            return RemittanceIssued.model_validate(stored)
        await conn.execute(
            """INSERT INTO payer.accumulators (payer_id, member_id, plan_id, plan_year) VALUES ($1, $2, $3, $4)
               ON CONFLICT DO NOTHING""",
            *member[:2],
            plan_id,
            member[2],
        )
        row = await conn.fetchrow(
            """SELECT deductible_met_cents, out_of_pocket_met_cents FROM payer.accumulators
               WHERE payer_id = $1 AND member_id = $2 AND plan_year = $3 FOR UPDATE""",
            *member,
        )
        remittance, acc = build(Accumulator(row["deductible_met_cents"], row["out_of_pocket_met_cents"]))
        await conn.execute(
            """UPDATE payer.accumulators SET deductible_met_cents = $4, out_of_pocket_met_cents = $5, updated_at = now()
               WHERE payer_id = $1 AND member_id = $2 AND plan_year = $3""",
            *member,
            acc.deductible_met_cents,
            acc.out_of_pocket_met_cents,
        )
        await conn.execute(
            """INSERT INTO payer.adjudications (claim_event_id, claim_id, payer_id, member_id,
                   payer_claim_control_number, claim_status_code, total_charge_cents, paid_cents,
                   patient_responsibility_cents, remittance)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            claim.event_id,
            claim.claim_id,
            claim.payer_id,
            claim.coverage.member_id,
            remittance.payer_claim_control_number,
            remittance.claim_status_code,
            remittance.total_charge_cents,
            remittance.paid_cents,
            remittance.patient_responsibility_cents,
            remittance.model_dump(mode="json"),
        )
        return remittance
