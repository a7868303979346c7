"""Postgres: the coder's encounter table."""

from __future__ import annotations

import uuid

import asyncpg

from rcmflow.shared.schemas import CodedEncounter, CodingReviewRequested

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
