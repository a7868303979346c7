"""Eligibility before billing. `check` asks each payer once per batch (a 270 with a subscriber per
visit) and reads its 271; `bill_checked` keeps every answer with its visit (emitted on
`eligibility`), sets aside the visits whose member is inactive or unknown (the eligibility work
queue: no claim is built for them) and bills the rest with the usual use case.

A visit billed before (a redelivered encounter) is billed as it was: the answer is kept, the
claims stored then are sent again. A payer that cannot be asked leaves its visits `unverified`,
billed as usual: an outage at the payer must not stop billing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from biller.domain.eligibility import inquiry_270, read_271
from biller.domain.model import BillingDecision, Reference
from biller.service_layer.handlers import PRODUCER, Billed, bill_encounters
from biller.service_layer.ports import BillerWork
from shared import x12
from shared.schemas import CodedEncounter
from shared.schemas.eligibility import TOPIC as ELIGIBILITY
from shared.schemas.eligibility import EligibilityAnswer, EligibilityChecked, trace_number

AskPayer = Callable[[str, str], Awaitable[str | None]]


class Eligibility(Protocol):
    async def billed_before(self, visit_ids: list[str]) -> set[str]: ...

    async def record(self, checks: list[EligibilityChecked]) -> None: ...

    async def set_aside(self, items: list[tuple[CodedEncounter, EligibilityChecked]]) -> None: ...


class EligibilityWork(BillerWork, Protocol):
    @property
    def eligibility(self) -> Eligibility: ...


def _interchange_number(visit_ids: list[str]) -> int:
    return uuid.uuid5(uuid.NAMESPACE_OID, "|".join(sorted(visit_ids))).int % x12.MAX_CONTROL_NUMBER + 1


async def check(
    batch: list[CodedEncounter], reference: Reference, ask: AskPayer, now: datetime
) -> dict[str, EligibilityChecked]:
    """The payer's answer for every visit with a coverage of a payer this practice bills, by visit id."""
    by_payer: dict[str, list[CodedEncounter]] = {}
    for coded in batch:
        coverage = coded.visit.coverage
        if coverage is not None and coverage.payer_id in reference.payers:
            by_payer.setdefault(coverage.payer_id, []).append(coded)
    checked: dict[str, EligibilityChecked] = {}
    for payer_id, encounters in by_payer.items():
        visits = list({c.visit_id: c.visit for c in encounters}.values())
        try:
            inquiry = inquiry_270(
                visits,
                reference.payers[payer_id],
                reference.submitter,
                _interchange_number([v.visit_id for v in visits]),
                now,
            )
        except x12.X12ElementError:  # a visit X12 cannot carry: its claim will say so; do not ask
            continue
        reply = await ask(payer_id, inquiry)
        answers = read_271(reply) if reply else {}
        for coded in encounters:
            coverage = coded.visit.coverage
            assert coverage is not None
            answer = answers.get(trace_number(coded.visit_id)) or EligibilityAnswer(
                trace_number=trace_number(coded.visit_id),
                member_id=coverage.member_id,
                status="unverified",
                reason="payer could not be asked" if reply is None else "payer's answer had no word on this member",
            )
            checked[coded.visit_id] = EligibilityChecked.of(
                coded.visit, coded.received_at, PRODUCER, answer, inquiry, reply
            )
    return checked


async def bill_checked(
    batch: list[CodedEncounter],
    checks: dict[str, EligibilityChecked],
    uow: EligibilityWork,
    reference: Reference,
    now: datetime,
    decisions: list[BillingDecision] | None = None,
) -> tuple[Billed, list[EligibilityChecked]]:
    """Bill the batch with its eligibility answers; returns what billing did (an outcome per
    encounter, `ineligible` for those set aside) and the visits set aside. `decisions`, one per
    encounter, when the caller built and checked the claims before the transaction."""
    before = await uow.eligibility.billed_before([c.visit_id for c in batch])
    answers = list({c.event_id: c for c in checks.values()}.values())
    await uow.eligibility.record(answers)
    for answer in answers:
        uow.emit(ELIGIBILITY, answer)
    aside = [
        (c, checks[c.visit_id])
        for c in batch
        if c.visit_id not in before and c.visit_id in checks and not checks[c.visit_id].billable
    ]
    await uow.eligibility.set_aside(aside)
    held = {c.visit_id for c, _ in aside}
    kept = [i for i, c in enumerate(batch) if c.visit_id not in held]
    billed = await bill_encounters(
        [batch[i] for i in kept], uow, reference, now, [decisions[i] for i in kept] if decisions is not None else None
    )
    outcomes = iter(billed.outcomes)
    billed.outcomes = ["ineligible" if c.visit_id in held else next(outcomes) for c in batch]
    return billed, [e for _, e in aside]
