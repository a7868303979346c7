"""Postgres: which visit ids intake has accepted, which HL7 messages it has answered, and where
each visit stands (the visit-state projection)."""

from __future__ import annotations

from typing import Any

import asyncpg

from encounter.domain.visit_state import StateChange
from shared.schemas import VisitReceived


class AcceptedVisits:
    """encounter.accepted_visits: a visit id is accepted once."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def claim_new(self, events: list[VisitReceived], hashes: list[str], channel: str) -> set[str]:
        """Record the events; return the visit ids not seen before."""
        rows = await self.conn.fetch(
            """INSERT INTO encounter.accepted_visits
                   (visit_id, patient_id, event_id, channel, content_hash, received_at, billing_npi, billing_tin)
               SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[],
                                    $7::text[], $8::text[])
               ON CONFLICT (visit_id) DO NOTHING RETURNING visit_id""",
            [e.visit_id for e in events],
            [e.patient_id for e in events],
            [e.event_id for e in events],
            [channel] * len(events),
            hashes,
            [e.received_at for e in events],
            [e.visit.facility.npi for e in events],  # who may read the visit back (its senders' facilities)
            [e.visit.facility.tax_id for e in events],
        )
        return {r["visit_id"] for r in rows}


class Hl7Messages:
    """encounter.hl7_messages: the ACK each control id (MSH-10) was answered with."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def ack_sent(self, control_id: str) -> str | None:
        """The ACK sent for this control id before, if any."""
        ack: str | None = await self.conn.fetchval(
            "SELECT ack FROM encounter.hl7_messages WHERE control_id = $1", control_id
        )
        return ack

    async def record(self, control_id: str, message_type: str, visit_ids: list[str], ack: str) -> None:
        await self.conn.execute(
            """INSERT INTO encounter.hl7_messages (control_id, message_type, visit_ids, ack) VALUES ($1, $2, $3, $4)
               ON CONFLICT (control_id) DO NOTHING""",
            control_id,
            message_type,
            visit_ids,
            ack,
        )


async def intake_counts(conn: asyncpg.Connection, scope: list[str]) -> dict[str, int]:
    """Visits accepted at intake, by channel, for visit ids matching any LIKE pattern in scope."""
    rows = await conn.fetch(
        """SELECT channel, count(*) AS n FROM encounter.accepted_visits
           WHERE visit_id LIKE ANY($1::text[]) GROUP BY channel""",
        scope,
    )
    return {r["channel"]: r["n"] for r in rows}


class VisitStates:
    """encounter.visit_states: the projection GET /visits/{visit_id} reads."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def advance(self, changes: list[StateChange]) -> None:
        """Upsert one change per visit; a state never moves back (visit_state.advances)."""
        await self.conn.execute(
            """INSERT INTO encounter.visit_states AS s (visit_id, state, rank, reason, source_topic)
               SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::text[])
               ON CONFLICT (visit_id) DO UPDATE SET state = EXCLUDED.state, rank = EXCLUDED.rank,
                   reason = EXCLUDED.reason, source_topic = EXCLUDED.source_topic, updated_at = now()
               WHERE EXCLUDED.rank >= s.rank OR s.state = 'failed'""",
            [c.visit_id for c in changes],
            [c.state for c in changes],
            [c.rank for c in changes],
            [c.reason for c in changes],
            [c.source_topic for c in changes],
        )


async def visit_state(conn: asyncpg.Connection, visit_id: str) -> dict[str, Any] | None:
    """What the sender may know of a visit: ids, channel, state, reason, times. None if unknown."""
    row = await conn.fetchrow(
        """SELECT a.visit_id AS accepted_id, a.channel, a.received_at,
                  s.visit_id AS tracked_id, s.state, s.reason, s.updated_at
           FROM (SELECT $1::text AS visit_id) q
           LEFT JOIN encounter.accepted_visits a ON a.visit_id = q.visit_id
           LEFT JOIN encounter.visit_states s ON s.visit_id = q.visit_id""",
        visit_id,
    )
    if row is None or (row["accepted_id"] is None and row["tracked_id"] is None):
        return None
    return {
        "visit_id": visit_id,
        "state": row["state"] or "accepted",
        "reason": row["reason"],
        "channel": row["channel"],
        "accepted_at": row["received_at"].isoformat() if row["received_at"] else None,
        "updated_at": (row["updated_at"] or row["received_at"]).isoformat(),
    }


async def failed_count(conn: asyncpg.Connection, scope: list[str]) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM encounter.visit_states WHERE state = 'failed' AND visit_id LIKE ANY($1::text[])",
            scope,
        )
    )
