"""Postgres: the coder's encounter table."""

from __future__ import annotations

import asyncpg

from rcmflow.shared.schemas import CodedEncounter, CodingReviewRequested


async def record(
    pool: asyncpg.Pool, event: CodedEncounter | CodingReviewRequested, outcome: str, visit_event_id: object
) -> None:
    """Idempotent: a redelivered visit keeps its first record."""
    await pool.execute(
        """INSERT INTO coder.encounters
               (visit_id, patient_id, visit_event_id, outcome, coder_version, result, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (visit_id) DO NOTHING""",
        event.visit_id,
        event.patient_id,
        visit_event_id,
        outcome,
        event.coder_version,
        event.model_dump(mode="json"),
        event.received_at,
    )
