"""Postgres: the coder's encounter table."""

from __future__ import annotations

import uuid

import asyncpg

from shared.schemas import CodedEncounter, CodingReviewRequested

Outcome = tuple[CodedEncounter | CodingReviewRequested, str, uuid.UUID]  # result, outcome, visit event id


async def record(pool: asyncpg.Pool, results: list[Outcome]) -> None:
    """Idempotent: a redelivered visit keeps its first record. One statement for the batch."""
    await pool.execute(
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


async def review_queue_size(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM coder.encounters WHERE outcome = 'review'"))


async def open_reviews(pool: asyncpg.Pool, limit: int = 100) -> list[dict]:
    rows = await pool.fetch(
        """SELECT visit_id, coder_version, coded_at, result FROM coder.encounters
           WHERE outcome = 'review' ORDER BY coded_at LIMIT $1""",
        limit,
    )
    return [dict(r) for r in rows]


async def take_review(conn: asyncpg.Connection, visit_id: str) -> CodingReviewRequested | None:
    """Lock an open review item for resolution (inside the caller's transaction); None if there is none."""
    row = await conn.fetchrow(
        "SELECT result FROM coder.encounters WHERE visit_id = $1 AND outcome = 'review' FOR UPDATE", visit_id
    )
    return CodingReviewRequested.model_validate(row["result"]) if row else None


async def resolve_review(conn: asyncpg.Connection, coded: CodedEncounter, reviewer: str) -> None:
    await conn.execute(
        """UPDATE coder.encounters SET outcome = 'reviewed', result = $2, coder_version = $3, reviewed_by = $4,
               reviewed_at = now() WHERE visit_id = $1""",
        coded.visit_id,
        coded.model_dump(mode="json"),
        coded.coder_version,
        reviewer,
    )
