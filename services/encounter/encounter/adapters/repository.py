"""Postgres: which visit ids intake has accepted, and which HL7 messages it has answered."""

from __future__ import annotations

import asyncpg

from shared.schemas import VisitReceived


class AcceptedVisits:
    """encounter.accepted_visits: a visit id is accepted once."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def claim_new(self, events: list[VisitReceived], hashes: list[str], channel: str) -> set[str]:
        """Record the events; return the visit ids not seen before."""
        rows = await self.conn.fetch(
            """INSERT INTO encounter.accepted_visits
                   (visit_id, patient_id, event_id, channel, content_hash, received_at)
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
