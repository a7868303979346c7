"""Denied claims as a person works them: the claim as it stands (locked while worked), and the
record of each action with what it does to the claim and its denials."""

from __future__ import annotations

import asyncpg

from biller.adapters.posting_repository import store_replacements
from biller.adapters.rejection_queue import close_on_write_off
from biller.domain.denial_work import StandingClaim, Work, WorkRefused
from shared.schemas import ClaimSubmitted

# What a worked denial becomes; a correction's denials are 'corrected' like the biller's own.
DENIAL_STATUS = {"correct": "corrected", "write_off": "written_off", "appeal": "appealed"}
UNRESOLVED = ("open", "appealed")  # denials still owed an answer


class DenialWorkRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def standing(self, claim_id: str) -> StandingClaim | None:
        row = await self._conn.fetchrow(
            """SELECT c.claim::text AS claim, c.status, c.payer_claim_control_number,
                      (SELECT coalesce(sum(d.amount_cents), 0) FROM biller.denials d
                        WHERE d.claim_id = c.claim_id AND d.status = ANY($2::text[]))::bigint AS denied_cents
               FROM biller.claims c WHERE c.claim_id = $1 FOR UPDATE""",
            claim_id,
            list(UNRESOLVED),
        )
        if row is None:
            return None
        return StandingClaim(
            ClaimSubmitted.model_validate_json(row["claim"]),
            row["status"],
            row["payer_claim_control_number"],
            row["denied_cents"],
        )

    async def record(self, work: Work, claim_event_id: object) -> None:
        """Book the action; WorkRefused (409) when this action was already taken on this submission."""
        w = work.worked
        booked = await self._conn.fetchval(
            """INSERT INTO biller.denial_work (work_event_id, claim_id, claim_event_id, action, worked_by, reason,
                   denied_cents, written_off_cents, replacement_claim_event_id, worked_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING work_event_id""",
            w.event_id, w.claim_id, claim_event_id, w.action, w.worked_by, w.reason, w.denied_cents,
            w.written_off_cents, w.replacement_claim_event_id, w.occurred_at,
        )  # fmt: skip
        if booked is None:
            raise WorkRefused("action", "already taken on this submission of the claim", status=409)
        await self._conn.execute(
            "UPDATE biller.denials SET status = $2 WHERE claim_id = $1 AND status = ANY($3::text[])",
            w.claim_id,
            DENIAL_STATUS[w.action],
            list(UNRESOLVED),
        )
        if work.replacement is not None:
            await store_replacements(self._conn, [(w.event_id, work.replacement, f"by {w.worked_by}: {w.reason}")])
            return
        status = "written_off" if w.action == "write_off" else None
        if status is not None:
            await close_on_write_off(self._conn, w.claim_id, w.worked_by)  # the rejected work queue too
            await self._conn.execute(
                "UPDATE biller.claims SET status = $2, updated_at = now() WHERE claim_id = $1", w.claim_id, status
            )
        await self._conn.execute(
            """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
               VALUES ($1, $2, $3, $4)""",
            w.claim_id,
            status or "appealed",
            f"{w.action.replace('_', ' ')} by {w.worked_by}: {w.reason}",
            w.event_id,
        )
