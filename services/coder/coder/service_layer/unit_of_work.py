"""The coder's unit of work: one transaction, the encounter repository bound to it."""

from __future__ import annotations

import asyncpg

from coder.adapters.repository import EncounterRepository
from shared.unit_of_work import PostgresUnitOfWork


class CoderUnitOfWork(PostgresUnitOfWork):
    encounters: EncounterRepository

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.encounters = EncounterRepository(conn)
