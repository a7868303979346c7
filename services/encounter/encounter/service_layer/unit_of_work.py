"""The encounter's unit of work: the intake tables bound to the transaction's connection, and
the outbox: what a use case emits is written into encounter.outbox by `commit`, in the same
transaction as the rows that caused it (the relay publishes it afterwards)."""

from __future__ import annotations

import asyncpg

from encounter.adapters.claim_views import ClaimViews
from encounter.adapters.outbox import Outbox
from encounter.adapters.repository import AcceptedVisits, Hl7Messages, VisitStates
from shared.unit_of_work import PostgresUnitOfWork


class EncounterUnitOfWork(PostgresUnitOfWork):
    visits: AcceptedVisits
    hl7: Hl7Messages
    outbox: Outbox
    states: VisitStates
    claims: ClaimViews

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.visits = AcceptedVisits(conn)
        self.hl7 = Hl7Messages(conn)
        self.outbox = Outbox(conn)
        self.states = VisitStates(conn)
        self.claims = ClaimViews(conn)

    async def commit(self) -> None:
        await self.outbox.add(self.events)
        await super().commit()
