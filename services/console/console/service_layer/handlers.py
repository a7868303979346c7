"""Use cases of the console: each batch of a topic becomes rows of its read models."""

from __future__ import annotations

from console.domain.remittance import outcome
from console.service_layer.unit_of_work import AbstractConsoleUnitOfWork
from shared.schemas import ClaimSubmitted, CodedEncounter, CodingReviewRequested, DenialWorked, RemittanceIssued


async def project_coded(batch: list[CodedEncounter], uow: AbstractConsoleUnitOfWork) -> list[str]:
    await uow.projections.coded(batch)
    return [f"coded by {e.coded_by}" for e in batch]


async def project_reviews(batch: list[CodingReviewRequested], uow: AbstractConsoleUnitOfWork) -> list[str]:
    await uow.projections.review_requested(batch)
    return ["review queued"] * len(batch)


async def project_claims(batch: list[ClaimSubmitted], uow: AbstractConsoleUnitOfWork) -> list[str]:
    await uow.projections.claims(batch)
    return [f"claim frequency {c.frequency_code}" for c in batch]


async def project_remittances(batch: list[RemittanceIssued], uow: AbstractConsoleUnitOfWork) -> list[str]:
    answers = [(r, outcome(r)) for r in batch]
    await uow.projections.remittances(answers)
    return [o.status for _, o in answers]


async def project_denial_work(batch: list[DenialWorked], uow: AbstractConsoleUnitOfWork) -> list[str]:
    await uow.projections.denial_work(batch)
    return [w.action for w in batch]
