"""Coordination of benefits after posting: a later payer's answer restates the patient's share
on the ledger, and an earlier payer's answer that leaves the patient something becomes the claim
to the next payer (secondary, then tertiary), checked with pyx12 like every claim and sent once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from biller.adapters.cob_repository import CobRepository, NextClaim
from biller.domain.claims import render_checked_837
from biller.domain.cob import next_payer_claim
from biller.domain.model import Reference
from biller.service_layer.handlers import Check837s, Posted, check_here, post_remittances
from biller.service_layer.ports import BillerWork, Claims
from shared.schemas import CLAIMS, ClaimSubmitted, Envelope, RemittanceIssued


class CobWork(Protocol):
    """What coordinating needs of the unit of work."""

    @property
    def claims(self) -> Claims: ...

    @property
    def cob(self) -> CobRepository: ...

    def emit(self, topic: str, event: Envelope) -> None: ...


class BillerCobWork(BillerWork, CobWork, Protocol):
    """The biller's unit of work with its COB repository."""


async def post_and_coordinate(
    batch: list[RemittanceIssued],
    uow: BillerCobWork,
    reference: Reference,
    now: datetime,
    check_837s: Check837s = check_here,
    *,
    staged: bool = False,
) -> Posted:
    """Post the remittances (handlers.post_remittances), then coordinate benefits. A remittance
    posted before (a redelivery) sends again the later payer's claim it caused, as stored.

    staged (`rcm rebuild`, which replays a whole topic in large batches): a remittance to a claim
    not stored yet waits until the rest of the batch is posted and coordinated, since the claim it
    answers may be the secondary that posting makes. Live, a later payer's answer can never share a
    batch with the answer that made its claim (the claim is sent only after that batch commits)."""
    if not staged:
        return await _post_and_coordinate(batch, uow, reference, now, check_837s)
    pending, by_event, total = list(batch), {}, Posted()
    while pending:
        known = await uow.claims.find_claims([r.claim_id for r in pending])
        ready = [r for r in pending if r.claim_id in known] or pending  # the rest match no claim
        part = await _post_and_coordinate(ready, uow, reference, now, check_837s)
        by_event.update({id(r): outcome for r, outcome in zip(ready, part.outcomes, strict=True)})
        total.postings += part.postings
        total.sent += part.sent
        pending = [r for r in pending if not any(r is x for x in ready)]
    total.outcomes = [by_event[id(r)] for r in batch]
    return total


async def _post_and_coordinate(
    batch: list[RemittanceIssued], uow: BillerCobWork, reference: Reference, now: datetime, check_837s: Check837s
) -> Posted:
    posted = await post_remittances(batch, uow, reference, now)
    posted.sent += await coordinate(posted, uow, reference, now, check_837s)
    new = {r.event_id for r, _ in posted.postings}
    for claim in await uow.cob.caused_by([r.event_id for r in batch if r.event_id not in new]):
        uow.emit(CLAIMS, claim)
        posted.sent.append(claim)
    return posted


async def coordinate(
    posted: Posted, uow: CobWork, reference: Reference, now: datetime, check_837s: Check837s = check_here
) -> list[ClaimSubmitted]:
    """For the postings just made: the ledger restated, the next payers' claims built and emitted."""
    if not posted.postings:
        return []
    stored = await uow.claims.find_claims([r.claim_id for r, _ in posted.postings])
    answered = [(r, stored[r.claim_id][0]) for r, _ in posted.postings if r.claim_id in stored]
    await uow.cob.restate_patient_share(answered)
    drafts = []
    for remittance, posting in posted.postings:
        claim = stored.get(remittance.claim_id, (None, 0))[0]
        nxt = next_payer_claim(claim, remittance, posting, reference.payers, now) if claim else None
        if nxt is not None:
            rendered, reasons = render_checked_837(
                nxt, reference.payers[nxt.payer_id], reference.submitter, pyx12=False
            )
            drafts.append((rendered, reasons, remittance.event_id))
    to_check = [c for c, reasons, _ in drafts if not reasons]
    verdicts = iter(await check_837s([c.x12_837 or "" for c in to_check]))
    items: list[NextClaim] = [(c, reasons or next(verdicts), cause) for c, reasons, cause in drafts]
    sent = await uow.cob.record_next_claims(items)
    for claim in sent:
        uow.emit(CLAIMS, claim)
    return sent
