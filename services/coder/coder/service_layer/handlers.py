"""The coder's use cases: code a batch of visits, and take a person's decision on one the engine
sent to review. They use the unit of work's repository and collect events with `uow.emit`; the
caller opens the unit of work, commits it and publishes (shared.unit_of_work)."""

from __future__ import annotations

from typing import Protocol

from coder.adapters.repository import Coding, Outcome
from coder.domain.coding import code_visit
from coder.domain.model import ReferenceTables
from coder.domain.review import ReviewDecision, coded_by_person
from shared import metrics
from shared.schemas import (
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    CodedEncounter,
    CodingReviewRequested,
    Envelope,
    Producer,
    VisitReceived,
)

PRODUCER = Producer(service="coder")


class Encounters(Protocol):
    """What the handlers need of the encounter repository (the real one, or a fake in tests)."""

    async def record(self, results: list[Outcome]) -> None: ...

    async def take_review(self, visit_id: str) -> CodingReviewRequested | None: ...

    async def resolve_review(self, coded: CodedEncounter, reviewer: str) -> None: ...


class UnitOfWork(Protocol):
    """What the handlers need of a unit of work: coder.service_layer.unit_of_work.CoderUnitOfWork,
    or an in-memory fake in the unit tests."""

    @property
    def encounters(self) -> Encounters: ...

    def emit(self, topic: str, event: Envelope) -> None: ...


def code(received: VisitReceived, tables: ReferenceTables, coder_version: str) -> Coding:
    """One visit's event: its codes, or the reasons a person must code it."""
    result = code_visit(received.visit, tables)
    for name in result.stale_code_sets:  # coded with the newest release loaded; operators must load a newer one
        metrics.code_set_stale_total.labels(code_set=name).inc()
    if result.needs_review:
        return CodingReviewRequested.of(
            received, PRODUCER, coder_version, result.review_reasons, result.diagnoses, result.service_lines
        )
    return CodedEncounter.of(
        received,
        PRODUCER,
        coder_version,
        place_of_service=result.place_of_service,
        diagnoses=result.diagnoses,
        service_lines=result.service_lines,
        code_set_stale=result.code_set_stale,
    )


async def code_visits(
    batch: list[VisitReceived], uow: UnitOfWork, tables: ReferenceTables, coder_version: str
) -> list[str]:
    """Code each visit, record it (a redelivered visit keeps its first record) and emit its event
    again every time: the event id is derived from visit and coder version, so a copy is harmless
    downstream, and a crash between commit and publish loses nothing. Outcome per visit:
    "coded" or "review"."""
    results = [code(received, tables, coder_version) for received in batch]
    outcomes = ["review" if isinstance(r, CodingReviewRequested) else "coded" for r in results]
    await uow.encounters.record(list(zip(results, outcomes, (r.event_id for r in batch), strict=True)))
    for result in results:
        uow.emit(CODING_REVIEW if isinstance(result, CodingReviewRequested) else CODED_ENCOUNTERS, result)
    return outcomes


async def decide_review(visit_id: str, decision: ReviewDecision, uow: UnitOfWork) -> CodedEncounter | None:
    """A person's codes for an open review item: the item is closed and the encounter sent on as
    coded by a person. None when there is no open item for the visit (unknown, or decided)."""
    pending = await uow.encounters.take_review(visit_id)
    if pending is None:
        return None
    coded = coded_by_person(pending, decision, PRODUCER)
    await uow.encounters.resolve_review(coded, decision.coder)
    uow.emit(CODED_ENCOUNTERS, coded)
    return coded
