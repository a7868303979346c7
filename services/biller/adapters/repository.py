"""Postgres: the billing ledger. Every write is idempotent by a deterministic id, and each
event's effects commit in one transaction."""

from __future__ import annotations

import asyncpg

from rcmflow.biller.domain.model import BillingDecision, Posting
from rcmflow.shared.schemas import ClaimSubmitted, CodedEncounter, RemittanceIssued


async def record_decision(pool: asyncpg.Pool, coded: CodedEncounter, decision: BillingDecision) -> list[ClaimSubmitted]:
    """Store what the encounter became. Returns the claims to send: the stored ones when the
    encounter was already billed (a redelivery), so the same claim is sent again, never a new one."""
    async with pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            """INSERT INTO biller.encounters (visit_id, patient_id, coded_event_id, outcome, problems, received_at)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (visit_id) DO NOTHING RETURNING true""",
            coded.visit_id,
            coded.patient_id,
            coded.event_id,
            decision.outcome,
            decision.problems,
            coded.received_at,
        )
        if not inserted:
            rows = await conn.fetch(
                "SELECT claim FROM biller.claims WHERE visit_id = $1 ORDER BY claim_id", coded.visit_id
            )
            return [ClaimSubmitted.model_validate(r["claim"]) for r in rows]
        if decision.self_pay_cents is not None:
            await conn.execute(
                "INSERT INTO biller.patient_statements (visit_id, patient_id, amount_cents) VALUES ($1, $2, $3)",
                coded.visit_id,
                coded.patient_id,
                decision.self_pay_cents,
            )
        for claim in decision.claims:
            await _insert_claim(conn, claim)
        return decision.claims


async def _insert_claim(conn: asyncpg.Connection, claim: ClaimSubmitted) -> None:
    await conn.execute(
        """INSERT INTO biller.claims (claim_id, visit_id, patient_id, payer_id, frequency_code, status, service_date,
               total_charge_cents, claim_event_id, claim, received_at)
           VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10)""",
        claim.claim_id,
        claim.visit_id,
        claim.patient_id,
        claim.payer_id,
        claim.frequency_code,
        claim.service_date,
        claim.total_charge_cents,
        claim.event_id,
        claim.model_dump(mode="json"),
        claim.received_at,
    )
    await conn.executemany(
        """INSERT INTO biller.claim_lines (claim_id, line_number, line_control_number, procedure_code, modifiers,
               units, charge_cents, diagnosis_pointers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [
            (
                claim.claim_id,
                ln.line_number,
                ln.line_control_number,
                ln.procedure_code,
                ln.modifiers,
                ln.units,
                ln.charge_cents,
                ln.diagnosis_pointers,
            )
            for ln in claim.service_lines
        ],
    )
    await conn.execute(
        "INSERT INTO biller.claim_status_history (claim_id, status, source_event_id) VALUES ($1, 'submitted', $2)",
        claim.claim_id,
        claim.event_id,
    )


async def find_claim(pool: asyncpg.Pool, patient_control_number: str) -> ClaimSubmitted | None:
    row = await pool.fetchrow("SELECT claim FROM biller.claims WHERE claim_id = $1", patient_control_number)
    return ClaimSubmitted.model_validate(row["claim"]) if row else None


async def record_posting(pool: asyncpg.Pool, remittance: RemittanceIssued, posting: Posting) -> bool:
    """Post once per remittance event. Returns False when it had been posted already."""
    async with pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            """INSERT INTO biller.postings (remittance_event_id, claim_id, payer_claim_control_number,
                   claim_status_code, paid_cents, allowed_cents, patient_responsibility_cents, deductible_cents,
                   coinsurance_cents, copay_cents, adjustment_cents, remittance)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               ON CONFLICT (remittance_event_id) DO NOTHING RETURNING true""",
            remittance.event_id,
            remittance.claim_id,
            remittance.payer_claim_control_number,
            remittance.claim_status_code,
            posting.paid_cents,
            posting.allowed_cents,
            posting.patient_cents,
            posting.patient_by_kind["deductible"],
            posting.patient_by_kind["coinsurance"],
            posting.patient_by_kind["copay"],
            posting.adjustment_cents,
            remittance.model_dump(mode="json"),
        )
        if not inserted:
            return False
        adjustments = [
            (remittance.event_id, None, a.group, a.carc, a.amount_cents) for a in remittance.claim_adjustments
        ]
        adjustments += [
            (remittance.event_id, ln.line_control_number, a.group, a.carc, a.amount_cents)
            for ln in remittance.service_lines
            for a in ln.adjustments
        ]
        await conn.executemany(
            """INSERT INTO biller.posting_adjustments (remittance_event_id, line_control_number, group_code, carc,
                   amount_cents) VALUES ($1, $2, $3, $4, $5)""",
            adjustments,
        )
        await conn.executemany(
            """UPDATE biller.claim_lines SET allowed_cents = $2, paid_cents = $3, patient_cents = $4,
                   adjustment_cents = $5 WHERE line_control_number = $1""",
            [
                (ln.line_control_number, ln.allowed_cents, ln.paid_cents, ln.patient_cents, ln.adjustment_cents)
                for ln in posting.lines
            ],
        )
        await conn.execute(
            """UPDATE biller.claims SET status = $2, allowed_cents = $3, paid_cents = $4,
                   patient_responsibility_cents = $5, adjustment_cents = $6, payer_claim_control_number = $7,
                   updated_at = now() WHERE claim_id = $1""",
            remittance.claim_id,
            posting.status,
            posting.allowed_cents,
            posting.paid_cents,
            posting.patient_cents,
            posting.adjustment_cents,
            remittance.payer_claim_control_number,
        )
        await conn.execute(
            """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
               VALUES ($1, $2, $3, $4)""",
            remittance.claim_id,
            posting.status,
            ",".join(posting.denial_carcs) or None,
            remittance.event_id,
        )
        return True


async def record_exception(pool: asyncpg.Pool, remittance: RemittanceIssued, reason: str) -> None:
    await pool.execute(
        """INSERT INTO biller.remittance_exceptions (remittance_event_id, patient_control_number, reason, remittance)
           VALUES ($1, $2, $3, $4) ON CONFLICT (remittance_event_id) DO NOTHING""",
        remittance.event_id,
        remittance.patient_control_number,
        reason,
        remittance.model_dump(mode="json"),
    )
