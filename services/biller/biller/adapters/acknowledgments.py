"""SQL on the biller's acknowledgment tables: the 999/277CA answers posted, and the rejected
work queue (biller.front_end_rejections) of claims the payer's front end turned back."""

from __future__ import annotations

import asyncpg

from biller.adapters.posting_repository import columns
from biller.adapters.rejection_queue import close_on_accepted
from shared.schemas import ClaimAcknowledged

REJECTED = "front_end_rejected"  # the claim status of a claim turned back before adjudication


class AcknowledgmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(self, acknowledgments: list[ClaimAcknowledged]) -> list[tuple[ClaimAcknowledged, bool]]:
        """Keep each acknowledgment once; a rejection of the submission that stands for its claim
        sets the claim's status and opens a work-queue item. Per acknowledgment: (it, whether it
        rejected a standing submission now). One of a claim this biller never sent is skipped."""
        if not acknowledgments:
            return []
        known = {
            r["claim_id"]: r["claim_event_id"]
            for r in await self._conn.fetch(
                "SELECT claim_id, claim_event_id FROM biller.claims WHERE claim_id = ANY($1::text[])",
                list({a.claim_id for a in acknowledgments}),
            )
        }
        ours = [a for a in acknowledgments if a.claim_id in known]
        rows = [
            (a.event_id, a.claim_id, a.claim_event_id, a.functional_ack,
             a.claim_status.category if a.claim_status else None, a.claim_status.code if a.claim_status else None,
             a.accepted, a.payer_claim_control_number, a.reason or None, a.model_dump_json())
            for a in ours
        ]  # fmt: skip
        found = await self._conn.fetch(
            """INSERT INTO biller.acknowledgments (acknowledgment_event_id, claim_id, claim_event_id, functional_ack,
                   status_category, status_code, accepted, payer_claim_control_number, reason, acknowledgment)
               SELECT e, c, ce, f, sc, st, a, p, r, j::jsonb
               FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bool[],
                           $8::text[], $9::text[], $10::text[]) AS t(e, c, ce, f, sc, st, a, p, r, j)
               ON CONFLICT DO NOTHING RETURNING acknowledgment_event_id""",
            *columns(rows, 10),
        )
        inserted = {r["acknowledgment_event_id"] for r in found}
        rejected = [
            a for a in ours if a.event_id in inserted and not a.accepted and known[a.claim_id] == a.claim_event_id
        ]
        if rejected:
            await self._reject(rejected)
        await close_on_accepted(self._conn, [a for a in ours if a.event_id in inserted and a.accepted])
        rejected_ids = {a.event_id for a in rejected}
        return [(a, a.event_id in rejected_ids) for a in ours]

    async def _reject(self, rejected: list[ClaimAcknowledged]) -> None:
        rows = [(a.claim_id, a.claim_event_id, a.event_id, "999" if a.functional_ack == "R" else "277CA", a.reason)
                for a in rejected]  # fmt: skip
        await self._conn.execute(
            f"""UPDATE biller.claims SET status = '{REJECTED}', updated_at = now()
                WHERE claim_id = ANY($1::text[])""",
            [a.claim_id for a in rejected],
        )
        await self._conn.execute(
            f"""INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
                SELECT c, '{REJECTED}', r, e FROM unnest($1::text[], $2::text[], $3::uuid[]) AS t(c, r, e)""",
            *columns([(c, r, e) for c, _, e, _, r in rows], 3),
        )
        await self._conn.execute(
            """INSERT INTO biller.front_end_rejections (claim_id, claim_event_id, acknowledgment_event_id, source,
                   reason)
               SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])""",
            *columns(rows, 5),
        )

    async def open_rejections(self, limit: int = 100, closed_too: bool = False) -> list[asyncpg.Record]:
        return list(
            await self._conn.fetch(
                """SELECT r.claim_id, c.visit_id, c.payer_id, r.source, r.reason, r.created_at, r.status,
                          r.closed_by
                   FROM biller.front_end_rejections r JOIN biller.claims c USING (claim_id)
                   WHERE r.status = 'open' OR $2 ORDER BY r.created_at DESC LIMIT $1""",
                limit,
                closed_too,
            )
        )
