"""The biller's use cases, between the faust agents (app.py) and the domain and repositories:
what billing a batch of coded encounters and posting a batch of remittances do. `rcm rebuild`
runs the same functions over the recorded topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from biller.adapters import repository
from biller.adapters.reference import load_charge_master, load_payers, load_submitter
from biller.domain.claims import decide, render_837
from biller.domain.denials import Correction, correct
from biller.domain.model import BillingDecision, ChargeMaster, PayerInfo, Posting, Submitter
from biller.domain.posting import PostingError, post
from shared.schemas import ClaimSubmitted, CodedEncounter, Producer, RemittanceIssued

PRODUCER = Producer(service="biller")


@dataclass(frozen=True)
class Reference:
    charge_master: ChargeMaster
    payers: dict[str, PayerInfo]
    submitter: Submitter

    @staticmethod
    def load() -> Reference:
        return Reference(load_charge_master(), load_payers(), load_submitter())


@dataclass
class Billed:
    decisions: list[BillingDecision]
    to_send: list[list[ClaimSubmitted]]  # per encounter, the claims to put on the topic


@dataclass
class Posted:
    outcomes: list[str]  # per remittance: a claim status, "duplicate" or "exception"
    postings: list[tuple[RemittanceIssued, Posting]]  # the new ones
    to_send: list[ClaimSubmitted]  # corrected claims


def with_837(claim: ClaimSubmitted, ref: Reference) -> ClaimSubmitted:
    return claim if claim.x12_837 is not None else render_837(claim, ref.payers[claim.payer_id], ref.submitter)


async def bill(pool: asyncpg.Pool, batch: list[CodedEncounter], ref: Reference, now: datetime) -> Billed:
    decisions = [decide(c, ref.charge_master, ref.payers, PRODUCER, ref.submitter, now.date()) for c in batch]
    to_send = await repository.record_decisions(pool, list(zip(batch, decisions, strict=True)))
    return Billed(decisions, [[with_837(c, ref) for c in claims] for claims in to_send])


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
    pool: asyncpg.Pool, batch: list[RemittanceIssued], ref: Reference, now: datetime | None = None
) -> Posted:
    posted = Posted([], [], [])
    for part in one_per_claim(batch):
        done = await _post_part(pool, part, ref, now or datetime.now(UTC))
        posted.outcomes += done.outcomes
        posted.postings += done.postings
        posted.to_send += done.to_send
    return posted


async def _post_part(pool: asyncpg.Pool, batch: list[RemittanceIssued], ref: Reference, now: datetime) -> Posted:
    stored = await repository.find_claims(pool, [r.patient_control_number for r in batch])
    results: list[tuple[RemittanceIssued, Posting | str, tuple[ClaimSubmitted, str] | None]] = []
    for remittance in batch:
        claim, corrections = stored.get(remittance.patient_control_number, (None, 0))
        try:
            if claim is None:
                raise PostingError("matches no claim (CLP01)")
            posting = post(claim, remittance)
        except PostingError as exc:
            results.append((remittance, str(exc), None))  # kept on the exception list, never dropped
            continue
        fix = correct(claim, remittance, corrections, now) if posting.denials else None
        if fix is not None:
            fix = Correction(with_837(fix.replacement, ref), fix.reason)
            stored[remittance.patient_control_number] = (fix.replacement, corrections + 1)
        results.append((remittance, posting, (fix.replacement, fix.reason) if fix else None))
    postings = [(r, p, fix) for r, p, fix in results if isinstance(p, Posting)]
    exceptions = [(r, p) for r, p, _ in results if isinstance(p, str)]
    recorded = iter(await repository.record_postings(pool, postings, exceptions))
    posted = Posted([], [], [])
    for remittance, result, _ in results:
        if isinstance(result, str):
            posted.outcomes.append("exception")
            continue
        is_new, corrected = next(recorded)
        posted.to_send += [with_837(c, ref) for c in corrected]
        if is_new:
            posted.outcomes.append(result.status)
            posted.postings.append((remittance, result))
        else:
            posted.outcomes.append("duplicate")
    return posted
