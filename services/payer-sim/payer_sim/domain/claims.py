"""What the payer does with one claim submission: answer an original, or for a replacement (7)
take back the standing answer (CLP02 = 22) and answer again, or for a void (8) only take it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from payer_sim.domain.adjudication import (
    Adjudication,
    Denial,
    denied_line,
    random_denial,
    reversal_lines,
    reverse_accumulator,
)
from payer_sim.domain.cob import adjudicate_later
from payer_sim.domain.model import Accumulator, ClaimHistory, PriorAdjudication, ReferenceData
from shared import ids
from shared.schemas import ClaimSubmitted, Producer, RemittanceIssued
from shared.schemas.remittance import Payee


def plan_of(claim: ClaimSubmitted, ref: ReferenceData) -> str:
    """The plan a claim is adjudicated under: the one on the claim, else the payer's default."""
    terms = ref.payers.get(claim.payer_id)
    return claim.coverage.plan_id or (terms.default_plan if terms else "-")


@dataclass(frozen=True)
class Knobs:
    """Realism settings, off by default so runs are reproducible."""

    random_denial_rate: float = 0.0
    seed: int = 0


@dataclass
class Answer:
    remittances: list[RemittanceIssued]  # a reversal first, if any, then the new answer
    accumulator: Accumulator
    standing: PriorAdjudication | None  # the answer that now stands for this claim (None after a void)
    reversed_prior: PriorAdjudication | None


def _remittance(
    claim: ClaimSubmitted,
    adjudication: Adjudication,
    *,
    kind: str,
    filing_indicator: str,
    producer: Producer,
    adjudicated_on: date,
    reverses: RemittanceIssued | None = None,
) -> RemittanceIssued:
    event_id = ids.event_id("remittance", kind, claim.event_id)
    return RemittanceIssued(
        event_id=event_id,
        visit_id=claim.visit_id,
        patient_id=claim.patient_id,
        producer=producer,
        received_at=claim.received_at,
        claim_id=claim.claim_id,
        claim_event_id=claim.event_id,
        patient_control_number=claim.patient_control_number,
        payer_id=claim.payer_id,
        payer_claim_control_number=ids.payer_claim_control_number(claim.payer_id, event_id),
        claim_status_code=adjudication.claim_status_code,
        frequency_code=claim.frequency_code,
        reverses=reverses.payer_claim_control_number if reverses else None,
        claim_filing_indicator=filing_indicator,
        member_id=claim.coverage.member_id,
        patient_first_name=claim.patient.first_name,
        patient_last_name=claim.patient.last_name,
        payee=Payee(
            npi=claim.billing_provider.npi, name=claim.billing_provider.name, tax_id=claim.billing_provider.tax_id
        ),
        service_date=claim.service_date,
        adjudicated_on=adjudicated_on,
        total_charge_cents=sum(ln.charge_cents for ln in adjudication.lines),
        paid_cents=adjudication.paid_cents,
        patient_responsibility_cents=adjudication.patient_cents,
        claim_adjustments=adjudication.claim_adjustments,
        service_lines=adjudication.lines,
    )


def answer(
    claim: ClaimSubmitted,
    ref: ReferenceData,
    accumulator: Accumulator,
    history: ClaimHistory,
    *,
    knobs: Knobs,
    producer: Producer,
    adjudicated_on: date,
) -> Answer:
    terms = ref.payers.get(claim.payer_id)
    filing = terms.claim_filing_indicator if terms else "CI"
    remittance = partial(_remittance, filing_indicator=filing, producer=producer, adjudicated_on=adjudicated_on)
    remittances: list[RemittanceIssued] = []
    acc = accumulator
    prior = history.prior if claim.frequency_code in ("7", "8") else None
    if prior is not None:
        taken_back = Adjudication("22", reversal_lines(prior.remittance.service_lines))
        remittances.append(remittance(claim, taken_back, kind="reversal", reverses=prior.remittance))
        acc = reverse_accumulator(acc, prior.deductible_cents, prior.out_of_pocket_cents)
    if claim.frequency_code == "8":
        if prior is None:  # a void of nothing we know: say so rather than stay silent
            nothing = Adjudication("4", [denied_line(ln, Denial("CO", "16", "MA130")) for ln in claim.service_lines])
            remittances.append(remittance(claim, nothing, kind="answer"))
        return Answer(remittances, acc, None, prior)
    forced = random_denial(knobs.seed, knobs.random_denial_rate, str(claim.event_id))
    result = adjudicate_later(claim, terms, ref, acc, history, forced=forced)  # as primary without prior payers
    new = remittance(claim, result, kind="answer")
    remittances.append(new)
    if claim.frequency_code == "1" and history.prior is not None:
        # a duplicate of a claim already answered (OA-18): the earlier answer keeps standing
        return Answer(remittances, result.accumulator, history.prior, None)
    standing = PriorAdjudication(new, result.deductible_cents, result.out_of_pocket_cents)
    return Answer(remittances, result.accumulator, standing, prior)
