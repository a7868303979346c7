"""The payer-sim's use case: answer a batch of claim submissions. Reads what the payer remembers
through the unit of work's repositories, decides with the domain (payer_sim.domain.claims),
writes the outcome back and emits the remittances; the caller (the faust agent, or a benchmark)
opens and commits the unit of work and publishes what it collected."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime

from payer_sim.domain.adjudication import line_key
from payer_sim.domain.claims import Answer, Knobs, answer, plan_of
from payer_sim.domain.front_end import FrontEndKnobs, acknowledge
from payer_sim.domain.model import (
    Accumulator,
    AdjudicationRecord,
    Booking,
    ClaimHistory,
    Enrollment,
    LineKey,
    Member,
    MemberYear,
    PaidLine,
    PriorAdjudication,
    ReferenceData,
)
from payer_sim.service_layer.unit_of_work import AbstractPayerUnitOfWork
from shared.schemas import ACKNOWLEDGMENTS, REMITTANCES, ClaimAcknowledged, ClaimSubmitted, Producer, RemittanceIssued
from shared.x12_report import syntax_errors_each

PRODUCER = Producer(service="payer-sim")
OUTCOMES = {
    "1": "processed",
    "2": "processed",
    "3": "processed",
    "4": "denied",
    "22": "reversed",
}  # by CLP02 of the last remittance sent
# acknowledged: outcome "rejected" when the 999 or 277CA turned the claim back before adjudication


def member_of(claim: ClaimSubmitted) -> Member:
    return (claim.payer_id, claim.coverage.member_id)


def member_year(claim: ClaimSubmitted) -> MemberYear:
    return (claim.payer_id, claim.coverage.member_id, claim.service_date.year)


async def adjudicate_claims(
    batch: list[ClaimSubmitted],
    uow: AbstractPayerUnitOfWork,
    reference: ReferenceData,
    knobs: Knobs,
    today: date,
    front_end: FrontEndKnobs | None = None,
) -> list[str]:
    """Acknowledge each submission (999, 277CA), then answer each accepted one exactly once, in
    batch order (a member's second claim sees the accumulators the first one left); a redelivered
    submission gets its stored answers sent again (same event ids, so downstream ignores the
    copies). Returns an outcome per claim ("rejected" when the front end turned it back)."""
    acknowledged = await acknowledge_claims(batch, uow, reference, front_end or FrontEndKnobs())
    admitted = [c for c in batch if acknowledged[c.event_id].accepted]
    answered = await uow.remittances.sent_for([c.event_id for c in admitted])
    todo = list({c.event_id: c for c in admitted if c.event_id not in answered}.values())
    if todo:
        answered |= await _answer(todo, uow, reference, knobs, today)
    outcomes = []
    for claim in batch:
        if not acknowledged[claim.event_id].accepted:
            outcomes.append("rejected")
            continue
        sent = answered[claim.event_id]
        for remittance in sent:
            uow.emit(REMITTANCES, remittance)
        outcomes.append(OUTCOMES.get(sent[-1].claim_status_code, "other"))
    return outcomes


async def acknowledge_claims(
    batch: list[ClaimSubmitted], uow: AbstractPayerUnitOfWork, reference: ReferenceData, knobs: FrontEndKnobs
) -> dict[uuid.UUID, ClaimAcknowledged]:
    """The front end's 999/277CA for each submission, emitted before any remittance; one already
    sent is sent again as stored."""
    sent = await uow.acknowledgments.sent_for([c.event_id for c in batch])
    now = datetime.now(UTC)
    todo = list({c.event_id: c for c in batch if c.event_id not in sent}.values())
    # the translator reads the batch's 837Ps in one pyx12 pass (same verdicts, less per-file work)
    texts = list(dict.fromkeys(c.x12_837 for c in todo if c.x12_837)) if knobs.syntax_check else []
    checked = dict(zip(texts, syntax_errors_each(texts), strict=True))
    new = [acknowledge(c, reference.payers.get(c.payer_id), knobs, PRODUCER, now, checked) for c in todo]
    await uow.acknowledgments.record(new)
    sent |= {a.claim_event_id: a for a in new}
    for claim in batch:
        uow.emit(ACKNOWLEDGMENTS, sent[claim.event_id])
    return sent


async def _answer(
    todo: list[ClaimSubmitted], uow: AbstractPayerUnitOfWork, reference: ReferenceData, knobs: Knobs, today: date
) -> dict[uuid.UUID, list[RemittanceIssued]]:
    first_claim_of_member = {member_of(c): c for c in reversed(todo)}
    enrollments = await uow.members.enroll(
        {
            m: reference.roster.get(m)
            or Enrollment(plan_of(c, reference), c.coverage.effective_date, c.coverage.termination_date)
            for m, c in first_claim_of_member.items()
        }
    )
    accumulators = await uow.accumulators.lock({member_year(c): plan_of(c, reference) for c in todo})
    priors = await uow.adjudications.standing({c.claim_id for c in todo})
    paid_lines = await uow.adjudications.paid_lines(
        {(c.payer_id, c.coverage.member_id, ln.service_date) for c in todo for ln in c.service_lines}
    )

    answered: dict[uuid.UUID, list[RemittanceIssued]] = {}
    records: dict[uuid.UUID, AdjudicationRecord] = {}  # by claim event id, in batch order
    lines: list[PaidLine] = []
    taken_back: list[uuid.UUID] = []  # answers booked before this batch
    for claim in todo:
        member_lines = paid_lines.setdefault(member_of(claim), {})
        prior = priors.get(claim.claim_id)
        history = ClaimHistory(
            submitted_on=claim.occurred_at.date(),
            enrollment=enrollments.get(member_of(claim)),
            prior=prior[1] if prior else None,
            paid_line_keys=frozenset(k for k, cid in member_lines.items() if cid != claim.claim_id),
        )
        acc_key = member_year(claim)
        result = answer(
            claim,
            reference,
            accumulators.get(acc_key, Accumulator()),
            history,
            knobs=knobs,
            producer=PRODUCER,
            adjudicated_on=today,
        )
        if acc_key in accumulators:
            accumulators[acc_key] = result.accumulator  # the member's next claim in this batch starts here
        if result.reversed_prior is not None and prior is not None:
            if prior[0] in records:  # answered earlier in this batch and not written yet: write it taken back
                records[prior[0]] = dataclasses.replace(records[prior[0]], active=False)
                lines = [ln for ln in lines if ln.claim_event_id != prior[0]]
            else:
                taken_back.append(prior[0])
            for k in [k for k, cid in member_lines.items() if cid == claim.claim_id]:
                del member_lines[k]
            del priors[claim.claim_id]
        record, paid = _book(claim, result)
        records[claim.event_id] = record
        if record.active and result.standing is not None:
            priors[claim.claim_id] = (claim.event_id, result.standing)
            for line in paid:
                member_lines[line.key] = claim.claim_id
            lines += paid
        answered[claim.event_id] = result.remittances

    await uow.accumulators.save(accumulators)
    await uow.adjudications.record(
        Booking(list(records.values()), lines, [r for c in todo for r in answered[c.event_id]], taken_back)
    )
    return answered


def _book(claim: ClaimSubmitted, result: Answer) -> tuple[AdjudicationRecord, list[PaidLine]]:
    """What the payer records of one answer: the adjudication, and the lines it paid if it stands."""
    standing: PriorAdjudication | None = result.standing
    stands = standing is not None and standing.remittance.claim_event_id == claim.event_id
    last = result.remittances[-1]
    record = AdjudicationRecord(
        claim_event_id=claim.event_id,
        claim_id=claim.claim_id,
        payer_id=claim.payer_id,
        member_id=claim.coverage.member_id,
        plan_year=claim.service_date.year,
        frequency_code=claim.frequency_code,
        answer_event_id=last.event_id if claim.frequency_code != "8" else None,
        payer_claim_control_number=last.payer_claim_control_number,
        claim_status_code=last.claim_status_code,
        deductible_cents=standing.deductible_cents if stands and standing else 0,
        out_of_pocket_cents=standing.out_of_pocket_cents if stands and standing else 0,
        active=stands,
    )
    paid: list[PaidLine] = []
    if stands:
        for claim_line, remit_line in zip(claim.service_lines, last.service_lines, strict=True):
            if remit_line.allowed_cents > 0:
                key: LineKey = line_key(claim, claim_line)
                paid.append(PaidLine(claim.event_id, claim.claim_id, key, claim_line.service_date))
    return record, paid
