"""The console's unit of work: one transaction with the projection repository bound to it.
The console publishes nothing; handlers see only the protocol, so tests hand them a fake."""

from __future__ import annotations

from typing import Protocol

import asyncpg

from console.adapters.projections import ProjectionRepository
from console.domain.remittance import Outcome
from shared.schemas import ClaimSubmitted, CodedEncounter, CodingReviewRequested, DenialWorked, RemittanceIssued
from shared.unit_of_work import PostgresUnitOfWork


class Projections(Protocol):
    async def coded(self, events: list[CodedEncounter]) -> None: ...

    async def review_requested(self, events: list[CodingReviewRequested]) -> None: ...

    async def claims(self, events: list[ClaimSubmitted]) -> None: ...

    async def remittances(self, events: list[tuple[RemittanceIssued, Outcome]]) -> None: ...

    async def denial_work(self, events: list[DenialWorked]) -> None: ...


class AbstractConsoleUnitOfWork(Protocol):
    projections: Projections


class ConsoleUnitOfWork(PostgresUnitOfWork):
    projections: ProjectionRepository

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.projections = ProjectionRepository(conn)
