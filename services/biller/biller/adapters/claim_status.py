"""Claim status (276/277): the claims to ask about, the HTTP call to the payer's real-time
endpoint, and the answers kept (biller.claim_status_answers)."""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

from biller.adapters.eligibility import post_to_payer
from biller.adapters.posting_repository import columns
from biller.domain.claim_status import StatusAnswer
from shared.schemas import ClaimSubmitted

log = logging.getLogger(__name__)


async def ask_payer_status(payer_id: str, inquiry: str) -> str | None:
    """The payer's 277 for a 276, or None when it cannot be asked now."""
    return await post_to_payer("/x12/276", payer_id, inquiry, "claim status", 10.0)


class ClaimStatusRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def to_ask(self, claim_ids: list[str] | None, older_than_seconds: float | None) -> list[ClaimSubmitted]:
        """The named claims, or every claim still awaiting an answer submitted longer ago than the age."""
        rows = await self._conn.fetch(
            """SELECT claim::text FROM biller.claims
               WHERE ($1::text[] IS NULL OR claim_id = ANY($1::text[]))
                 AND ($1::text[] IS NOT NULL OR status = 'submitted')
                 AND ($2::float8 IS NULL OR updated_at < now() - make_interval(secs => $2))
               ORDER BY claim_id""",
            claim_ids,
            older_than_seconds,
        )
        return [ClaimSubmitted.model_validate_json(r["claim"]) for r in rows]

    async def record(self, answers: list[tuple[StatusAnswer, str, str]]) -> None:
        if not answers:
            return
        rows = [(a.patient_control_number, a.category, a.status, a.entity, a.paid_cents, a.payer_claim_control_number,
                 a.reason, sent, got) for a, sent, got in answers]  # fmt: skip
        await self._conn.execute(
            """INSERT INTO biller.claim_status_answers (claim_id, category, status_code, entity, paid_cents,
                   payer_claim_control_number, reason, x12_276, x12_277)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                                    $7::text[], $8::text[], $9::text[])""",
            *columns(rows, 9),
        )

    async def answers_277(self, since: datetime | None) -> list[tuple[str, str]]:
        rows = await self._conn.fetch(
            """SELECT DISTINCT ON (x12_277) c.payer_id, a.x12_277, a.asked_at
               FROM biller.claim_status_answers a JOIN biller.claims c USING (claim_id)
               WHERE $1::timestamptz IS NULL OR a.asked_at >= $1 ORDER BY x12_277, a.asked_at""",
            since,
        )
        return [(r["payer_id"], r["x12_277"]) for r in sorted(rows, key=lambda r: r["asked_at"])]
