"""The payer-sim's unit of work: one transaction, the repositories bound to its connection, and
the remittances it caused collected until it has committed. Handlers see only the protocol
`AbstractPayerUnitOfWork`, so unit tests hand them an in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import asyncpg

from payer_sim.adapters.acknowledgments import AcknowledgmentRepository
from payer_sim.adapters.repository import (
    AccumulatorRepository,
    AdjudicationRepository,
    MemberRepository,
    RemittanceRepository,
)
from payer_sim.domain.model import (
    Accumulator,
    Booking,
    Enrollment,
    LineKey,
    Member,
    MemberDay,
    MemberYear,
    PriorAdjudication,
)
from shared.schemas import ClaimAcknowledged, Envelope, RemittanceIssued
from shared.unit_of_work import PostgresUnitOfWork


class Members(Protocol):
    async def enroll(self, first_seen: dict[Member, Enrollment]) -> dict[Member, Enrollment]: ...


class Accumulators(Protocol):
    async def lock(self, plans: dict[MemberYear, str]) -> dict[MemberYear, Accumulator]: ...

    async def save(self, accumulators: dict[MemberYear, Accumulator]) -> None: ...


class Adjudications(Protocol):
    async def standing(self, claim_ids: Iterable[str]) -> dict[str, tuple[uuid.UUID, PriorAdjudication]]: ...

    async def paid_lines(self, member_days: Iterable[MemberDay]) -> dict[Member, dict[LineKey, str]]: ...

    async def record(self, booking: Booking) -> None: ...


class Remittances(Protocol):
    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[RemittanceIssued]]: ...

    async def for_export(self, payer_id: str | None, since: datetime | None) -> list[RemittanceIssued]: ...

    async def next_interchange_number(self) -> int: ...


class Acknowledgments(Protocol):
    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ClaimAcknowledged]: ...

    async def record(self, acknowledgments: list[ClaimAcknowledged]) -> None: ...


class AbstractPayerUnitOfWork(Protocol):
    """What a payer-sim handler may use: its repositories and `emit`."""

    # read-only: a protocol's plain attributes would have to match the repositories' types exactly
    @property
    def members(self) -> Members: ...
    @property
    def accumulators(self) -> Accumulators: ...
    @property
    def adjudications(self) -> Adjudications: ...
    @property
    def remittances(self) -> Remittances: ...
    @property
    def acknowledgments(self) -> Acknowledgments: ...

    def emit(self, topic: str, event: Envelope) -> None: ...


class PayerUnitOfWork(PostgresUnitOfWork):
    members: MemberRepository
    accumulators: AccumulatorRepository
    adjudications: AdjudicationRepository
    remittances: RemittanceRepository
    acknowledgments: AcknowledgmentRepository

    def open_repositories(self, conn: asyncpg.Connection) -> None:
        self.members = MemberRepository(conn)
        self.accumulators = AccumulatorRepository(conn)
        self.adjudications = AdjudicationRepository(conn)
        self.remittances = RemittanceRepository(conn)
        self.acknowledgments = AcknowledgmentRepository(conn)
