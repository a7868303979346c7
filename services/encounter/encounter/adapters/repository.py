"""Postgres: which visit ids intake has accepted."""

from __future__ import annotations

import asyncpg

from shared.schemas import VisitReceived


async def claim_new(conn: asyncpg.Connection, events: list[VisitReceived], hashes: list[str], channel: str) -> set[str]:
    """Inside the caller's transaction: record the events; return the visit ids not seen before."""
    rows = await conn.fetch(
        """INSERT INTO encounter.accepted_visits (visit_id, patient_id, event_id, channel, content_hash, received_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
           ON CONFLICT (visit_id) DO NOTHING RETURNING visit_id""",
        [e.visit_id for e in events],
        [e.patient_id for e in events],
        [e.event_id for e in events],
        [channel] * len(events),
        hashes,
        [e.received_at for e in events],
    )
    return {r["visit_id"] for r in rows}


async def hl7_seen(conn: asyncpg.Connection, control_id: str) -> str | None:
    """The ACK sent for this control id before, if any."""
    return await conn.fetchval("SELECT ack FROM encounter.hl7_messages WHERE control_id = $1", control_id)


async def record_hl7(
    conn: asyncpg.Connection, control_id: str, message_type: str, visit_ids: list[str], ack: str
) -> None:
    await conn.execute(
        """INSERT INTO encounter.hl7_messages (control_id, message_type, visit_ids, ack) VALUES ($1, $2, $3, $4)
           ON CONFLICT (control_id) DO NOTHING""",
        control_id,
        message_type,
        visit_ids,
        ack,
    )
