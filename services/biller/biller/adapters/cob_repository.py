"""Postgres: coordination of benefits. The claims the biller sends to later payers (stored like any
claim, linked in biller.cob_claims), and the patient's ledger once a later payer answers."""

from __future__ import annotations

import uuid

import asyncpg

from biller.adapters.posting_repository import columns
from biller.adapters.repository import ClaimRepository
from biller.domain.posting import PATIENT_KIND
from shared import ids
from shared.schemas import ClaimSubmitted, RemittanceIssued

# A claim to a later payer, why it may not be sent (empty: it may), and the answer that caused it.
NextClaim = tuple[ClaimSubmitted, list[str], uuid.UUID]


class CobRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._claims = ClaimRepository(conn)

    async def record_next_claims(self, items: list[NextClaim]) -> list[ClaimSubmitted]:
        """Store each later payer's claim unless it exists (its id follows from the primary's, so a
        replayed answer finds it); returns the new ones that may be sent."""
        if not items:
            return []
        existing = {
            r["claim_id"]
            for r in await self._conn.fetch(
                "SELECT claim_id FROM biller.claims WHERE claim_id = ANY($1::text[])", [c.claim_id for c, _, _ in items]
            )
        }
        fresh = list({c.claim_id: (c, e, cause) for c, e, cause in items if c.claim_id not in existing}.values())
        if not fresh:
            return []
        await self._claims._insert_claims([(c, errors) for c, errors, _ in fresh])
        prior = {c.claim_id: (c.prior_payers[-1] if c.prior_payers else None) for c, _, _ in fresh}
        await self._conn.execute(
            """INSERT INTO biller.cob_claims (claim_id, primary_claim_id, prior_claim_id, payer_sequence, caused_by)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[])""",
            *columns(
                [
                    (c.claim_id, c.primary_claim_id, prior_claim_of(c) or c.primary_claim_id, c.payer_sequence, cause)
                    for c, _, cause in fresh
                    if prior[c.claim_id] is not None
                ],
                5,
            ),
        )
        return [c for c, errors, _ in fresh if not errors]

    async def caused_by(self, remittance_event_ids: list[uuid.UUID]) -> list[ClaimSubmitted]:
        """The later payers' claims these answers caused, as stored (sent again on a redelivery)."""
        if not remittance_event_ids:
            return []
        rows = await self._conn.fetch(
            """SELECT c.claim::text FROM biller.cob_claims x JOIN biller.claims c USING (claim_id)
               WHERE x.caused_by = ANY($1::uuid[]) AND c.status <> 'rejected' ORDER BY x.claim_id""",
            remittance_event_ids,
        )
        return [ClaimSubmitted.model_validate_json(r["claim"]) for r in rows]

    async def restate_patient_share(self, answered: list[tuple[RemittanceIssued, ClaimSubmitted]]) -> None:
        """A later payer's answer restates what the patient still owes (its PR): the earlier payer's
        PR on the ledger is taken off, by kind, so the ledger holds what all payers left."""
        rows = []
        for remittance, claim in answered:
            if not claim.prior_payers or remittance.claim_status_code == "22":
                continue
            last = claim.prior_payers[-1]
            adjustments = last.claim_adjustments + [a for ln in last.lines for a in ln.adjustments]
            by_kind: dict[str, int] = {}
            for a in adjustments:
                if a.group == "PR":
                    kind = PATIENT_KIND.get(a.carc, "other")
                    by_kind[kind] = by_kind.get(kind, 0) + a.amount_cents
            rows += [
                (remittance.patient_id, remittance.visit_id, claim.claim_id, kind, -amount, remittance.event_id)
                for kind, amount in by_kind.items()
                if amount
            ]
        if rows:
            await self._conn.execute(
                """INSERT INTO biller.patient_ledger (patient_id, visit_id, claim_id, kind, amount_cents,
                       source_event_id)
                   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::uuid[])""",
                *columns(rows, 6),
            )


def prior_claim_of(claim: ClaimSubmitted) -> str | None:
    """The claim whose answer this one follows: the primary for a secondary, the secondary for a
    tertiary (its id follows from the primary's, as the domain derives it)."""
    if claim.primary_claim_id is None:
        return None
    if claim.payer_sequence == "T":
        return ids.later_payer_claim_number(claim.primary_claim_id, "S")
    return claim.primary_claim_id
