"""Postgres: accumulators and adjudications, changed together in one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from rcmflow.payer_sim.domain.model import Accumulator
from rcmflow.shared.schemas import ClaimSubmitted, RemittanceIssued

MemberYear = tuple[str, str, int]  # payer id, member id, plan year


def member_year(claim: ClaimSubmitted) -> MemberYear:
    return (claim.payer_id, claim.coverage.member_id, claim.service_date.year)


async def adjudicate_once(
    pool: asyncpg.Pool,
    claims: list[tuple[ClaimSubmitted, str]],
    build: Callable[[ClaimSubmitted, Accumulator], tuple[RemittanceIssued, Accumulator]],
) -> list[RemittanceIssued]:
    """Adjudicate each claim submission (with its plan id) exactly once, in order; a redelivered
    submission gets its stored remittance. The members' accumulator rows are locked for the
    transaction, so a member's claims never race, and change in the same commit as the
    adjudications that moved them."""
    async with pool.acquire() as conn, conn.transaction():
        stored: dict[str, RemittanceIssued] = {
            str(r["claim_event_id"]): RemittanceIssued.model_validate(r["remittance"])
            for r in await conn.fetch(
                "SELECT claim_event_id, remittance FROM payer.adjudications WHERE claim_event_id = ANY($1::uuid[])",
                [c.event_id for c, _ in claims],
            )
        }
        todo = [(c, plan) for c, plan in claims if str(c.event_id) not in stored]
        plans = {member_year(c): plan for c, plan in todo}
        keys = sorted(plans)  # one lock order for every process: no deadlocks
        await conn.execute(
            """INSERT INTO payer.accumulators (payer_id, member_id, plan_year, plan_id)
               SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) ON CONFLICT DO NOTHING""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [plans[k] for k in keys],
        )
        rows = await conn.fetch(
            """SELECT a.payer_id, a.member_id, a.plan_year, a.deductible_met_cents, a.out_of_pocket_met_cents
               FROM payer.accumulators a
               JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(payer_id, member_id, plan_year)
                 USING (payer_id, member_id, plan_year)
               ORDER BY a.payer_id, a.member_id, a.plan_year
               FOR UPDATE OF a""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
        )
        accumulators = {
            (r["payer_id"], r["member_id"], r["plan_year"]): Accumulator(
                r["deductible_met_cents"], r["out_of_pocket_met_cents"]
            )
            for r in rows
        }
        new: list[tuple[ClaimSubmitted, RemittanceIssued]] = []
        for claim, _ in todo:
            if str(claim.event_id) in stored:  # the same submission twice in one batch
                continue
            remittance, accumulators[member_year(claim)] = build(claim, accumulators[member_year(claim)])
            stored[str(claim.event_id)] = remittance
            new.append((claim, remittance))
        await conn.executemany(
            """UPDATE payer.accumulators SET deductible_met_cents = $4, out_of_pocket_met_cents = $5, updated_at = now()
               WHERE payer_id = $1 AND member_id = $2 AND plan_year = $3""",
            [(*k, a.deductible_met_cents, a.out_of_pocket_met_cents) for k, a in accumulators.items()],
        )
        await conn.executemany(
            """INSERT INTO payer.adjudications (claim_event_id, claim_id, payer_id, member_id,
                   payer_claim_control_number, claim_status_code, total_charge_cents, paid_cents,
                   patient_responsibility_cents, remittance)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            [
                (
                    c.event_id,
                    c.claim_id,
                    c.payer_id,
                    c.coverage.member_id,
                    r.payer_claim_control_number,
                    r.claim_status_code,
                    r.total_charge_cents,
                    r.paid_cents,
                    r.patient_responsibility_cents,
                    r.model_dump(mode="json"),
                )
                for c, r in new
            ],
        )
        return [stored[str(c.event_id)] for c, _ in claims]
