"""Intake use cases: accept parsed visits once each, answer an HL7 message once per control id.
They run inside a unit of work (which alone opens the transaction) and emit the events to
publish; they never touch faust, asyncpg or aiokafka."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from encounter.domain.hl7_in import Hl7Message
from encounter.domain.intake import content_hash
from encounter.domain.visit_state import StateChange, latest_per_visit
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.schemas.common import Envelope


class AcceptedVisitsRepository(Protocol):
    async def claim_new(self, events: list[VisitReceived], hashes: list[str], channel: str) -> set[str]: ...


class Hl7Repository(Protocol):
    async def ack_sent(self, control_id: str) -> str | None: ...

    async def record(self, control_id: str, message_type: str, visit_ids: list[str], ack: str) -> None: ...


class VisitStatesRepository(Protocol):
    async def advance(self, changes: list[StateChange]) -> None: ...


class IntakeUnitOfWork(Protocol):
    @property
    def visits(self) -> AcceptedVisitsRepository: ...

    @property
    def hl7(self) -> Hl7Repository: ...

    def emit(self, topic: str, event: Envelope) -> None: ...


@dataclass(frozen=True)
class Acceptance:
    """What a request's visits became: accepted now, or accepted before (duplicates)."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


async def accept_visits(
    visits: list[Visit], channel: str, uow: IntakeUnitOfWork, received_at: datetime, producer: Producer
) -> Acceptance:
    """Record each visit id not accepted before and emit its event; a visit id seen before (in an
    earlier request or twice in this one) comes back as a duplicate and emits nothing."""
    unique = list({v.visit_id: v for v in visits}.values())
    events = [VisitReceived.of(v, received_at, producer) for v in unique]
    new_ids = await uow.visits.claim_new(events, [content_hash(v) for v in unique], channel)
    for event in events:
        if event.visit_id in new_ids:
            uow.emit(VISITS, event)
    accepted = [e.visit_id for e in events if e.visit_id in new_ids]
    duplicates = [v.visit_id for v in visits if v.visit_id not in accepted]
    return Acceptance(accepted, duplicates)


async def receive_hl7(
    message: Hl7Message, reply: str, uow: IntakeUnitOfWork, received_at: datetime, producer: Producer
) -> str:
    """The ACK for a parsed HL7 message: the one sent before for a control id seen before
    (nothing emitted), else `reply`, recorded with the message's visits."""
    sent_before = await uow.hl7.ack_sent(message.control_id)
    if sent_before is not None:
        return sent_before
    visit_ids = [v.visit_id for v in message.visits]
    await uow.hl7.record(message.control_id, message.message_type, visit_ids, reply)
    await accept_visits(message.visits, "hl7v2", uow, received_at, producer)
    return reply


class ClaimViewsRepository(Protocol):
    async def record_claims(self, claims: list[dict[str, Any]]) -> None: ...

    async def record_adjudications(self, remittances: list[dict[str, Any]]) -> None: ...


class StatesUnitOfWork(Protocol):
    @property
    def states(self) -> VisitStatesRepository: ...

    @property
    def claims(self) -> ClaimViewsRepository: ...


async def record_visit_states(changes: list[StateChange], uow: StatesUnitOfWork) -> int:
    """Advance the visit-state projection by a batch of changes (in topic order); how many visits."""
    latest = latest_per_visit(changes)
    if latest:
        await uow.states.advance(latest)
    return len(latest)


async def record_claim_views(
    claims: list[dict[str, Any]], remittances: list[dict[str, Any]], uow: StatesUnitOfWork
) -> None:
    """Keep the claims read model (FHIR Claim and ClaimResponse lookups): the latest of each."""
    if claims:
        await uow.claims.record_claims(claims)
    if remittances:
        await uow.claims.record_adjudications(remittances)
