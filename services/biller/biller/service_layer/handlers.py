"""The biller's use cases: billing a batch of coded encounters, posting a batch of remittances.

The faust agents (biller.entrypoints.app) and `rcm rebuild` run them the same way: in a unit of
work, which commits and then publishes what they emitted. They never open a transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from biller.domain.claim_validation import validate_837_each
from biller.domain.claims import decide, reject_invalid_837s, render_837
from biller.domain.denial_work import DenialWork, Work, WorkRefused, plan_work
from biller.domain.denials import correct
from biller.domain.model import BillingDecision, Posting, Reference
from biller.domain.posting import PostingError, post
from biller.service_layer.ports import BillerWork, PostingToRecord
from shared.schemas import (
    CLAIMS,
    DENIAL_WORK,
    ClaimSubmitted,
    CodedEncounter,
    DenialWorked,
    Producer,
    RemittanceIssued,
)

PRODUCER = Producer(service="biller")


@dataclass
class Billed:
    outcomes: list[str]  # per encounter: claimed, rejected, self_pay or not_billable
    decisions: list[BillingDecision]
    sent: list[ClaimSubmitted] = field(default_factory=list)  # emitted on `claims`


@dataclass
class Posted:
    outcomes: list[str] = field(default_factory=list)  # per remittance: a claim status, "duplicate" or "exception"
    postings: list[tuple[RemittanceIssued, Posting]] = field(default_factory=list)  # the new ones
    sent: list[ClaimSubmitted] = field(default_factory=list)  # corrected claims emitted on `claims`


def with_837(claim: ClaimSubmitted, reference: Reference) -> ClaimSubmitted:
    """The claim with its 837P (rendered once: a stored claim already carries it)."""
    if claim.x12_837 is not None:
        return claim
    return render_837(claim, reference.payers[claim.payer_id], reference.submitter)


# pyx12 over a batch's 837Ps, one verdict each (biller.adapters.x12_check runs it in a process pool).
Check837s = Callable[[list[str]], Awaitable[list[list[str]]]]


async def check_here(x12_texts: list[str]) -> list[list[str]]:
    return validate_837_each(x12_texts)


async def decide_batch(
    batch: list[CodedEncounter], reference: Reference, now: datetime, check_837s: Check837s = check_here
) -> list[BillingDecision]:
    """Each encounter's claims, built and checked, with pyx12 run once over the batch's 837Ps
    (its cost is per segment, ~6 ms a claim; one pass saves the per-file part and lets the
    service run it off its event loop and outside any transaction)."""
    decisions = [
        decide(c, reference.charge_master, reference.payers, PRODUCER, reference.submitter, now.date(), pyx12=False)
        for c in batch
    ]
    claims = [claim.x12_837 or "" for decision in decisions for claim in decision.claims]
    reject_invalid_837s(decisions, await check_837s(claims))
    return decisions


async def bill_encounters(
    batch: list[CodedEncounter],
    uow: BillerWork,
    reference: Reference,
    now: datetime,
    decisions: list[BillingDecision] | None = None,
) -> Billed:
    """Record what each encounter became and emit its claims; `decisions` from `decide_batch`
    when the caller made them before opening the unit of work."""
    if decisions is None:
        decisions = await decide_batch(batch, reference, now)
    to_send = await uow.claims.record_decisions(list(zip(batch, decisions, strict=True)))
    billed = Billed([d.outcome for d in decisions], decisions)
    for claims in to_send:
        for claim in claims:
            claim = with_837(claim, reference)
            uow.emit(CLAIMS, claim)
            billed.sent.append(claim)
    return billed


def one_per_claim(batch: list[RemittanceIssued]) -> list[list[RemittanceIssued]]:
    """Split a batch, in order, so no claim appears twice in a part: each part is posted against
    the claims as the previous part left them (a correction, then the payer's answer to it)."""
    parts: list[list[RemittanceIssued]] = [[]]
    seen: set[str] = set()
    for remittance in batch:
        if remittance.patient_control_number in seen:
            parts.append([])
            seen = set()
        parts[-1].append(remittance)
        seen.add(remittance.patient_control_number)
    return parts


async def post_remittances(
    batch: list[RemittanceIssued], uow: BillerWork, reference: Reference, now: datetime
) -> Posted:
    """Post each remittance to its claim; a denial the biller can fix becomes a replacement claim
    (emitted), anything that cannot be posted is kept as an exception, never dropped."""
    posted = Posted()
    for part in one_per_claim(batch):
        await _post_part(part, uow, reference, now, posted)
    return posted


async def _post_part(
    batch: list[RemittanceIssued], uow: BillerWork, reference: Reference, now: datetime, posted: Posted
) -> None:
    stored = await uow.claims.find_claims([r.patient_control_number for r in batch])
    results: list[tuple[RemittanceIssued, Posting | str]] = []
    postings: list[PostingToRecord] = []
    for remittance in batch:
        claim, corrections = stored.get(remittance.patient_control_number, (None, 0))
        try:
            if claim is None:
                raise PostingError("matches no claim (CLP01)")
            posting = post(claim, remittance)
        except PostingError as exc:
            results.append((remittance, str(exc)))
            continue
        fix = correct(claim, remittance, corrections, now) if posting.denials else None
        replacement = (with_837(fix.replacement, reference), fix.reason) if fix is not None else None
        if replacement is not None:
            stored[remittance.patient_control_number] = (replacement[0], corrections + 1)
        results.append((remittance, posting))
        postings.append((remittance, posting, replacement))
    exceptions = [(r, reason) for r, reason in results if isinstance(reason, str)]
    recorded = iter(await uow.postings.record_postings(postings, exceptions))
    for remittance, result in results:
        if isinstance(result, str):
            posted.outcomes.append("exception")
            continue
        is_new, corrected = next(recorded)
        for claim in corrected:
            claim = with_837(claim, reference)
            uow.emit(CLAIMS, claim)
            posted.sent.append(claim)
        if is_new:
            posted.outcomes.append(result.status)
            posted.postings.append((remittance, result))
        else:
            posted.outcomes.append("duplicate")


async def work_denial(claim_id: str, request: DenialWork, uow: BillerWork, reference: Reference, now: datetime) -> Work:
    """A person's action on a denied claim: booked, published on `denial-work`, and for a
    correction the replacement claim sent on `claims`. WorkRefused says why not."""
    standing = await uow.denial_work.standing(claim_id)
    if standing is None:
        raise WorkRefused("claim_id", "no such claim", status=404)
    payer = reference.payers.get(standing.claim.payer_id)
    work = plan_work(standing, request, payer, reference.submitter, PRODUCER, now)
    await uow.denial_work.record(work, standing.claim.event_id)
    uow.emit(DENIAL_WORK, work.worked)
    if work.replacement is not None:
        uow.emit(CLAIMS, work.replacement)
    return work


async def replay_denial_work(
    batch: list[DenialWorked], replacements: dict[uuid.UUID, ClaimSubmitted], uow: BillerWork
) -> list[str]:
    """`rcm rebuild`: book people's actions again as the live biller booked them (the replacement
    claims from `claims`); an action already booked is left as it is."""
    outcomes = []
    for worked in batch:
        standing = await uow.denial_work.standing(worked.claim_id)
        replacement = replacements.get(worked.replacement_claim_event_id) if worked.replacement_claim_event_id else None
        if standing is None or (worked.replacement_claim_event_id and replacement is None):
            outcomes.append("skipped")
            continue
        try:
            await uow.denial_work.record(Work(worked, replacement), standing.claim.event_id)
        except WorkRefused:
            outcomes.append("duplicate")
            continue
        outcomes.append(worked.action)
    return outcomes
