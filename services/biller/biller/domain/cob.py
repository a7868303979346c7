"""Coordination of benefits: the later payers a claim names (2320/2330 without an answer yet), and
the claim to the next payer once an earlier payer has answered (its answer in 2320/2330/2430).

The next payer's claim is its own submission (its own CLM01, derived from the primary claim's, so
one per payer however often the answer arrives) for the same lines and charges, to the next
coverage, with every earlier payer's answer. It is built only when the answer leaves the patient
something to pay: nothing is left to coordinate otherwise."""

from __future__ import annotations

from datetime import datetime

from biller.domain.model import PayerInfo, Posting
from shared import ids
from shared.schemas import ClaimSubmitted, RemittanceIssued
from shared.schemas.cob import OtherPayer, PayerSequence, PriorPayer, PriorPayerLine
from shared.schemas.coverage_order import SEQUENCE
from shared.schemas.visit import Coverage, Visit

BILLABLE_AFTER = frozenset({"paid", "partially_paid"})  # answers a later payer can coordinate with


def later_payers(visit: Visit, payers: dict[str, PayerInfo]) -> list[OtherPayer]:
    """The visit's coverages after the primary, with what the 837P says of their payers; a payer the
    biller does not know is left off (it cannot be billed; the primary claim goes on)."""
    out = []
    for coverage in visit.later_coverages:
        payer = payers.get(coverage.payer_id)
        if payer is not None:
            out.append(other_payer(coverage, payer))
    return out


def other_payer(coverage: Coverage, payer: PayerInfo) -> OtherPayer:
    sequence: PayerSequence = SEQUENCE.get(coverage.order or 1, "P")  # type: ignore[assignment]
    return OtherPayer(
        sequence=sequence,
        payer_id=payer.payer_id,
        payer_name=payer.name,
        x12_payer_id=payer.x12_payer_id,
        claim_filing_indicator=payer.claim_filing_indicator,
        coverage=coverage,
    )


def answer_of(claim: ClaimSubmitted, remittance: RemittanceIssued, payer: PayerInfo, lcn: dict[str, str]) -> PriorPayer:
    """The answer as the next claim carries it; `lcn` maps this claim's line numbers to the next's."""
    lines = [
        PriorPayerLine(
            line_control_number=lcn.get(ln.line_control_number, ln.line_control_number),
            procedure_code=ln.procedure_code,
            modifiers=ln.modifiers,
            units=max(ln.units, 1),
            paid_cents=ln.paid_cents,
            adjustments=ln.adjustments,
            remaining_patient_cents=sum(a.amount_cents for a in ln.adjustments if a.group == "PR"),
        )
        for ln in remittance.service_lines
    ]
    return PriorPayer(
        **other_payer(claim.coverage, payer).model_dump(exclude={"sequence"}),
        sequence=claim.payer_sequence,
        payer_claim_control_number=remittance.payer_claim_control_number,
        adjudicated_on=remittance.adjudicated_on,
        paid_cents=remittance.paid_cents,
        remaining_patient_cents=remittance.patient_responsibility_cents,
        claim_adjustments=remittance.claim_adjustments,
        lines=lines,
    )


def _renumbered(prior: PriorPayer, lcn: dict[str, str]) -> PriorPayer:
    lines = [ln.model_copy(update={"line_control_number": lcn.get(ln.line_control_number, ln.line_control_number)})
             for ln in prior.lines]  # fmt: skip
    return prior.model_copy(update={"lines": lines})


def next_payer_claim(
    claim: ClaimSubmitted, remittance: RemittanceIssued, posting: Posting, payers: dict[str, PayerInfo], now: datetime
) -> ClaimSubmitted | None:
    """The claim to the next payer after `remittance` answered `claim`, or None when there is no
    next payer, the answer is not one to coordinate with, or it left the patient nothing."""
    payer = payers.get(claim.payer_id)
    if not claim.later_payers or posting.status not in BILLABLE_AFTER or payer is None:
        return None
    if remittance.patient_responsibility_cents <= 0 or remittance.claim_status_code == "22":
        return None
    nxt = claim.later_payers[0]
    primary = claim.primary_claim_id or claim.claim_id
    pcn = ids.later_payer_claim_number(primary, nxt.sequence)
    lcn = {ln.line_control_number: ids.line_control_number(pcn, ln.line_number) for ln in claim.service_lines}
    lines = [ln.model_copy(update={"line_control_number": lcn[ln.line_control_number]}) for ln in claim.service_lines]
    return claim.model_copy(
        update={
            "event_id": ids.event_id("claim", pcn, "1", remittance.event_id),
            "occurred_at": now,
            "claim_id": pcn,
            "patient_control_number": pcn,
            "frequency_code": "1",
            "payer_claim_control_number": None,
            "payer_id": nxt.payer_id,
            "coverage": nxt.coverage,
            "service_lines": lines,
            "payer_sequence": nxt.sequence,
            "primary_claim_id": primary,
            "prior_payers": [
                *(_renumbered(p, lcn) for p in claim.prior_payers),
                answer_of(claim, remittance, payer, lcn),
            ],
            "later_payers": claim.later_payers[1:],
            "x12_837": None,
        }
    )
