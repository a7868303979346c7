"""The biller's use cases: billing a batch of coded encounters, posting a batch of remittances.

The faust agents (biller.entrypoints.app) and `rcm rebuild` run them the same way: in a unit of
work, which commits and then publishes what they emitted. They never open a transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from biller.domain.claims import decide, render_837
from biller.domain.denial_work import DenialWork, Work, WorkRefused, plan_work
from biller.domain.denials import correct
from biller.domain.model import BillingDecision, Posting, Reference
from biller.domain.posting import PostingError, post
from biller.service_layer.ports import BillerWork, PostingToRecord
from shared.schemas import CLAIMS, DENIAL_WORK, ClaimSubmitted, CodedEncounter, Producer, RemittanceIssued

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


async def bill_encounters(batch: list[CodedEncounter], uow: BillerWork, reference: Reference, now: datetime) -> Billed:
    decisions = [
        decide(c, reference.charge_master, reference.payers, PRODUCER, reference.submitter, now.date()) for c in batch
    ]
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
