"""SQL on payer_sim.acknowledgments: the 999/277CA answers the front end sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import asyncpg

from shared.schemas import ClaimAcknowledged


class AcknowledgmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ClaimAcknowledged]:
        rows = await self._conn.fetch(
            """SELECT claim_event_id, acknowledgment FROM payer_sim.acknowledgments
               WHERE claim_event_id = ANY($1::uuid[])""",
            list(claim_event_ids),
        )
        return {r["claim_event_id"]: ClaimAcknowledged.model_validate(r["acknowledgment"]) for r in rows}

    async def record(self, acknowledgments: list[ClaimAcknowledged]) -> None:
        if not acknowledgments:
            return
        await self._conn.executemany(
            """INSERT INTO payer_sim.acknowledgments (claim_event_id, claim_id, payer_id, functional_ack, accepted,
                   status_category, acknowledgment)
               VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb) ON CONFLICT (claim_event_id) DO NOTHING""",
            [
                (a.claim_event_id, a.claim_id, a.payer_id, a.functional_ack, a.accepted,
                 a.claim_status.category if a.claim_status else None, a.model_dump_json())
                for a in acknowledgments
            ],
        )  # fmt: skip

    async def for_export(self, since: datetime | None) -> list[ClaimAcknowledged]:
        rows = await self._conn.fetch(
            """SELECT acknowledgment FROM payer_sim.acknowledgments
               WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY created_at, claim_event_id""",
            since,
        )
        return [ClaimAcknowledged.model_validate(r["acknowledgment"]) for r in rows]
