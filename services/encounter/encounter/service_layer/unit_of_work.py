"""The encounter's unit of work: the intake tables bound to the transaction's connection."""

from __future__ import annotations

import asyncpg

from encounter.adapters.repository import AcceptedVisits, Hl7Messages
from shared.unit_of_work import PostgresUnitOfWork


class EncounterUnitOfWork(PostgresUnitOfWork):
    visits: AcceptedVisits
    hl7: Hl7Messages

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.visits = AcceptedVisits(conn)
        self.hl7 = Hl7Messages(conn)
