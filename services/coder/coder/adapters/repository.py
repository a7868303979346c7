"""Postgres: the coder's record of every visit it has seen (coder.encounters) and the review queue in it."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.schemas import CodedEncounter, CodingReviewRequested

Coding = CodedEncounter | CodingReviewRequested
Outcome = tuple[Coding, str, uuid.UUID]  # result, outcome ("coded" / "review"), visit event id


class EncounterRepository:
    """The SQL on coder.encounters, over a connection (a unit of work's, inside its transaction)
    or a pool (read-only queries of the web views and commands)."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._conn = conn

    async def record(self, results: list[Outcome]) -> None:
        """Idempotent: a redelivered visit keeps its first record. One statement for the batch."""
        await self._conn.execute(
            """INSERT INTO coder.encounters
                   (visit_id, patient_id, visit_event_id, outcome, coder_version, result, received_at)
               SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[],
                                    $7::timestamptz[])
               ON CONFLICT (visit_id) DO NOTHING""",
            [r.visit_id for r, _, _ in results],
            [r.patient_id for r, _, _ in results],
            [visit_event_id for _, _, visit_event_id in results],
            [outcome for _, outcome, _ in results],
            [r.coder_version for r, _, _ in results],
            [r.model_dump(mode="json") for r, _, _ in results],
            [r.received_at for r, _, _ in results],
        )

    async def review_queue_size(self) -> int:
        return int(await self._conn.fetchval("SELECT count(*) FROM coder.encounters WHERE outcome = 'review'"))

    async def open_reviews(self, limit: int = 100, visit_id: str | None = None) -> list[dict[str, Any]]:
        """The oldest open items first (or only the one of `visit_id`)."""
        rows = await self._conn.fetch(
            """SELECT visit_id, coder_version, coded_at, result FROM coder.encounters
               WHERE outcome = 'review' AND ($2::text IS NULL OR visit_id = $2) ORDER BY coded_at LIMIT $1""",
            limit,
            visit_id,
        )
        return [dict(r) for r in rows]

    async def take_review(self, visit_id: str) -> CodingReviewRequested | None:
        """Lock an open review item for resolution (inside the unit of work); None if there is none."""
        row = await self._conn.fetchrow(
            "SELECT result FROM coder.encounters WHERE visit_id = $1 AND outcome = 'review' FOR UPDATE", visit_id
        )
        return CodingReviewRequested.model_validate(row["result"]) if row else None

    async def resolve_review(self, coded: CodedEncounter, reviewer: str) -> None:
        await self._conn.execute(
            """UPDATE coder.encounters SET outcome = 'reviewed', result = $2, coder_version = $3, reviewed_by = $4,
                   reviewed_at = now() WHERE visit_id = $1""",
            coded.visit_id,
            coded.model_dump(mode="json"),
            coded.coder_version,
            reviewer,
        )

    async def outcome_counts(self, scope: list[str]) -> dict[str, int]:
        """Visits per outcome among those whose id matches one of the LIKE patterns in `scope`."""
        rows = await self._conn.fetch(
            """SELECT outcome, count(*) AS n FROM coder.encounters WHERE visit_id LIKE ANY($1::text[])
               GROUP BY outcome""",
            scope,
        )
        return {r["outcome"]: int(r["n"]) for r in rows}

    async def recorded(self, visit_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What was recorded for these visits: outcome, coder version and the result event."""
        rows = await self._conn.fetch(
            "SELECT visit_id, outcome, coder_version, result FROM coder.encounters WHERE visit_id = ANY($1::text[])",
            visit_ids,
        )
        return {r["visit_id"]: dict(r) for r in rows}

    async def story(self, visit_id: str) -> dict[str, Any]:
        """Whose visit it is and when it arrived, and what became of it here (the `rcmflow.visit_story` shape)."""
        row = await self._conn.fetchrow(
            """SELECT patient_id, received_at, outcome, coder_version, coded_at, reviewed_by, reviewed_at
               FROM coder.encounters WHERE visit_id = $1""",
            visit_id,
        )
        if row is None:
            return {}
        coding = {k: row[k] for k in ("outcome", "coder_version", "coded_at", "reviewed_by", "reviewed_at")}
        return {"patient_id": row["patient_id"], "received_at": row["received_at"], "coding": coding}
