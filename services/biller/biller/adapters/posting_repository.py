"""Postgres: the billing ledger's posting side: remittances posted to their claims, adjustments,
denials and their automatic corrections, the patient's share, and what could not be posted."""

from __future__ import annotations

import uuid

import asyncpg

from biller.adapters.repository import first_seen
from biller.service_layer.ports import PostingToRecord
from shared.schemas import ClaimSubmitted, RemittanceIssued


class PostingRepository:
    """Posts remittances on one connection; the unit of work owns the transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record_postings(
        self, postings: list[PostingToRecord], exceptions: list[tuple[RemittanceIssued, str]]
    ) -> list[tuple[bool, list[ClaimSubmitted]]]:
        """Post each remittance event once, work its denials (a correction or the queue), and keep what
        could not be posted. Returns, per posting, whether it was new and the corrected claims to send
        (for a redelivered remittance: the ones it caused before)."""
        conn = self._conn
        await conn.executemany(
            """INSERT INTO biller.remittance_exceptions
                   (remittance_event_id, patient_control_number, reason, remittance) VALUES ($1, $2, $3, $4)
               ON CONFLICT (remittance_event_id) DO NOTHING""",
            [(r.event_id, r.patient_control_number, reason, r.model_dump(mode="json")) for r, reason in exceptions],
        )
        if not postings:
            return []
        rows = await conn.fetch(
            """INSERT INTO biller.postings (remittance_event_id, claim_id, payer_claim_control_number,
                   claim_status_code, paid_cents, allowed_cents, patient_responsibility_cents, deductible_cents,
                   coinsurance_cents, copay_cents, adjustment_cents, remittance)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                   $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::jsonb[])
               ON CONFLICT (remittance_event_id) DO NOTHING RETURNING remittance_event_id""",
            [r.event_id for r, _, _ in postings],
            [r.claim_id for r, _, _ in postings],
            [r.payer_claim_control_number for r, _, _ in postings],
            [r.claim_status_code for r, _, _ in postings],
            [p.paid_cents for _, p, _ in postings],
            [p.allowed_cents for _, p, _ in postings],
            [p.patient_cents for _, p, _ in postings],
            [p.patient_by_kind["deductible"] for _, p, _ in postings],
            [p.patient_by_kind["coinsurance"] for _, p, _ in postings],
            [p.patient_by_kind["copay"] for _, p, _ in postings],
            [p.adjustment_cents for _, p, _ in postings],
            [r.model_dump(mode="json") for r, _, _ in postings],
        )
        first = first_seen([str(r.event_id) for r, _, _ in postings], {str(row[0]) for row in rows})
        fresh = [item for item, is_new in zip(postings, first, strict=True) if is_new]
        await self._post(fresh)
        await self._correct([(r, fix) for r, _, fix in fresh if fix is not None])
        again = [r.event_id for (r, _, _), is_new in zip(postings, first, strict=True) if not is_new]
        resend: dict[uuid.UUID, list[ClaimSubmitted]] = {}
        if again:
            for row in await conn.fetch(
                "SELECT caused_by, claim FROM biller.claim_submissions WHERE caused_by = ANY($1::uuid[])", again
            ):
                resend.setdefault(row["caused_by"], []).append(ClaimSubmitted.model_validate(row["claim"]))
        return [
            (is_new, ([fix[0]] if fix else []) if is_new else resend.get(r.event_id, []))
            for (r, _, fix), is_new in zip(postings, first, strict=True)
        ]

    async def _post(self, fresh: list[PostingToRecord]) -> None:
        conn = self._conn
        await conn.executemany(
            """INSERT INTO biller.posting_adjustments (remittance_event_id, line_control_number, group_code, carc,
                   amount_cents) VALUES ($1, $2, $3, $4, $5)""",
            [(r.event_id, None, a.group, a.carc, a.amount_cents) for r, _, _ in fresh for a in r.claim_adjustments]
            + [
                (r.event_id, ln.line_control_number, a.group, a.carc, a.amount_cents)
                for r, _, _ in fresh
                for ln in r.service_lines
                for a in ln.adjustments
            ],
        )
        await conn.executemany(
            # amounts add up over postings: a reversal (negative amounts) nets out what it takes back
            """UPDATE biller.claim_lines SET allowed_cents = allowed_cents + $2, paid_cents = paid_cents + $3,
                   patient_cents = patient_cents + $4, adjustment_cents = adjustment_cents + $5
               WHERE line_control_number = $1""",
            [
                (ln.line_control_number, ln.allowed_cents, ln.paid_cents, ln.patient_cents, ln.adjustment_cents)
                for _, p, _ in fresh
                for ln in p.lines
            ],
        )
        await conn.executemany(
            """UPDATE biller.claims SET status = $2, allowed_cents = allowed_cents + $3, paid_cents = paid_cents + $4,
                   patient_responsibility_cents = patient_responsibility_cents + $5,
                   adjustment_cents = adjustment_cents + $6,
                   payer_claim_control_number = CASE WHEN $2 = 'reversed' THEN payer_claim_control_number ELSE $7 END,
                   updated_at = now() WHERE claim_id = $1""",
            [
                (
                    r.claim_id,
                    p.status,
                    p.allowed_cents,
                    p.paid_cents,
                    p.patient_cents,
                    p.adjustment_cents,
                    r.payer_claim_control_number,
                )
                for r, p, _ in fresh
            ],
        )
        await conn.executemany(
            """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
               VALUES ($1, $2, $3, $4)""",
            [(r.claim_id, p.status, ",".join(p.denial_carcs) or None, r.event_id) for r, p, _ in fresh],
        )
        await conn.executemany(
            """INSERT INTO biller.denials (claim_id, line_control_number, group_code, carc, rarc, amount_cents,
                   remittance_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            [
                (r.claim_id, lcn, a.group, a.carc, a.rarc, a.amount_cents, r.event_id)
                for r, p, _ in fresh
                for lcn, a in p.denials
            ],
        )
        await conn.executemany(
            """INSERT INTO biller.patient_ledger (patient_id, visit_id, claim_id, kind, amount_cents, source_event_id)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            [
                (r.patient_id, r.visit_id, r.claim_id, kind, amount, r.event_id)
                for r, p, _ in fresh
                for kind, amount in p.patient_by_kind.items()
                if amount
            ],
        )

    async def _correct(self, fixes: list[tuple[RemittanceIssued, tuple[ClaimSubmitted, str]]]) -> None:
        """Replace the stored claim with its correction, and take its denials off the work queue."""
        conn = self._conn
        await conn.executemany(
            """UPDATE biller.claims SET claim = $2, claim_event_id = $3, frequency_code = '7', status = 'submitted',
                   corrections = corrections + 1, updated_at = now() WHERE claim_id = $1""",
            [(c.claim_id, c.model_dump(mode="json"), c.event_id) for _, (c, _) in fixes],
        )
        await conn.executemany(
            "UPDATE biller.claim_lines SET modifiers = $2 WHERE line_control_number = $1",
            [(ln.line_control_number, ln.modifiers) for _, (c, _) in fixes for ln in c.service_lines],
        )
        await conn.executemany(
            """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
               VALUES ($1, 'submitted', $2, $3)""",
            [(c.claim_id, f"corrected: {reason}", c.event_id) for _, (c, reason) in fixes],
        )
        await conn.executemany(
            """INSERT INTO biller.claim_submissions (claim_event_id, claim_id, frequency_code, caused_by, claim)
               VALUES ($1, $2, '7', $3, $4)""",
            [(c.event_id, c.claim_id, r.event_id, c.model_dump(mode="json")) for r, (c, _) in fixes],
        )
        await conn.execute(
            "UPDATE biller.denials SET status = 'corrected' WHERE remittance_event_id = ANY($1::uuid[])",
            [r.event_id for r, _ in fixes],
        )
