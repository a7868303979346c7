"""Claim assembly: a coded encounter -> priced professional claims (split past 50 lines),
scrubbed, and rendered to 837P; or a self-pay statement when there is no coverage."""

from __future__ import annotations

import hashlib
from datetime import date

from biller.domain.claim_validation import validate_837
from biller.domain.cob import later_payers
from biller.domain.model import BillingDecision, ChargeMaster, PayerInfo, Submitter
from biller.domain.scrubber import ScrubContext, scrub
from biller.domain.x12_837 import claim_interchange
from shared import ids
from shared.schemas import ClaimLine, ClaimSubmitted, CodedEncounter, Producer
from shared.x12 import X12ElementError

MAX_LINES_PER_CLAIM = 50


def price(coded: CodedEncounter, charge_master: ChargeMaster, self_pay: bool) -> tuple[list[int], list[str]]:
    """Line charges from the charge master (the facility's own prices first); self-pay visits at the self-pay price."""
    charges, problems = [], []
    for line in coded.service_lines:
        found = charge_master.price(line.procedure_code, coded.visit.facility.npi)
        if found is None:
            problems.append(f"no charge master price for {line.procedure_code}")
            charges.append(0)
            continue
        charges.append((found.self_pay_cents if self_pay else found.charge_cents) * line.units)
    return charges, problems


def interchange_number(claim: ClaimSubmitted) -> int:
    """ISA13 for the one-claim 837 a claim event carries: stable for the same submission."""
    return int.from_bytes(hashlib.sha256(str(claim.event_id).encode()).digest()[:4], "big") % 999_999_999 + 1


def render_837(claim: ClaimSubmitted, payer: PayerInfo, submitter: Submitter) -> ClaimSubmitted:
    text = claim_interchange([claim], payer, submitter, interchange_number(claim), claim.occurred_at)
    return claim.model_copy(update={"x12_837": text})


def render_checked_837(
    claim: ClaimSubmitted, payer: PayerInfo, submitter: Submitter, *, pyx12: bool = True
) -> tuple[ClaimSubmitted, list[str]]:
    """The claim with its 837P, and why it may not be sent (empty: it may): an element X12
    cannot carry, or pyx12's errors (unless pyx12=False: the caller checks a batch at once)."""
    try:
        rendered = render_837(claim, payer, submitter)
    except X12ElementError as exc:
        return claim, [str(exc)]
    return rendered, validate_837(rendered.x12_837 or "") if pyx12 else []


def reject_invalid_837s(decisions: list[BillingDecision], verdicts: list[list[str]]) -> None:
    """Apply pyx12's verdicts, one per claim to send in the decisions' order (a batch checked at
    once): a claim with reasons is kept as rejected instead, exactly as `decide` would have."""
    found = iter(verdicts)
    for decision in decisions:
        kept = []
        for claim in decision.claims:
            reasons = next(found)
            if reasons:
                decision.rejected.append((claim.model_copy(update={"x12_837": None}), reasons))
            else:
                kept.append(claim)
        decision.claims = kept
    if next(found, None) is not None:
        raise ValueError("more verdicts than claims")


def draft_claims(coded: CodedEncounter, charges: list[int], producer: Producer) -> list[ClaimSubmitted]:
    """The claims as assembled, not yet validated: the scrubber reports what is wrong with them
    instead of the event schema refusing them."""
    visit = coded.visit
    assert visit.coverage is not None
    drafts = []
    lines = list(zip(coded.service_lines, charges, strict=True))
    for split_index, start in enumerate(range(0, len(lines), MAX_LINES_PER_CLAIM)):
        chunk = lines[start : start + MAX_LINES_PER_CLAIM]
        pcn = ids.patient_control_number(visit.visit_id, split_index)
        claim_lines = [
            ClaimLine.model_construct(
                line_number=n,
                line_control_number=ids.line_control_number(pcn, n),
                procedure_code=line.procedure_code,
                modifiers=list(line.modifiers),
                units=line.units,
                charge_cents=charge,
                diagnosis_pointers=list(line.diagnosis_pointers),
                service_date=visit.service_date,
            )
            for n, (line, charge) in enumerate(chunk, start=1)
        ]
        drafts.append(
            ClaimSubmitted.model_construct(
                event_id=ids.event_id("claim", pcn, "1", coded.event_id),
                visit_id=visit.visit_id,
                patient_id=visit.patient.id,
                producer=producer,
                received_at=coded.received_at,
                occurred_at=coded.received_at,
                schema_version=1,
                claim_id=pcn,
                patient_control_number=pcn,
                frequency_code="1",
                payer_claim_control_number=None,
                payer_id=visit.coverage.payer_id,
                coverage=visit.coverage,
                patient=visit.patient,
                billing_provider=visit.facility,
                rendering_provider=visit.provider,
                place_of_service=coded.place_of_service,
                service_date=visit.service_date,
                diagnoses=[d.code for d in coded.diagnoses],
                service_lines=claim_lines,
                total_charge_cents=sum(ln.charge_cents for ln in claim_lines),
                prior_authorization=visit.prior_authorization,
                coded_encounter_event_id=coded.event_id,
                x12_837=None,
            )
        )
    return drafts


def contract_checked(draft: ClaimSubmitted) -> ClaimSubmitted:
    """A clean draft, now checked against the claim contract: its own fields and its lines. The
    parts taken from the visit (patient, coverage, providers) are kept as the validated models
    they already are: they were checked when the coded encounter was read, not again here."""
    fields = dict(vars(draft))
    fields["service_lines"] = [dict(vars(line)) for line in draft.service_lines]
    return ClaimSubmitted.model_validate(fields)


def decide(
    coded: CodedEncounter,
    charge_master: ChargeMaster,
    payers: dict[str, PayerInfo],
    producer: Producer,
    submitter: Submitter,
    today: date,
    *,
    pyx12: bool = True,
) -> BillingDecision:
    """What a coded encounter becomes. pyx12=False leaves pyx12 to the caller, which checks the
    batch's claims at once (`reject_invalid_837s`); every other check is made here."""
    visit = coded.visit
    charges, problems = price(coded, charge_master, self_pay=visit.coverage is None)
    if problems:
        return BillingDecision(problems=problems)
    if visit.coverage is None:
        return BillingDecision(self_pay_cents=sum(charges))
    payer = payers.get(visit.coverage.payer_id)
    decision = BillingDecision()
    others = later_payers(visit, payers)  # COB: the coverages after the primary (837P 2320/2330)
    for draft in draft_claims(coded, charges, producer):
        draft.later_payers = others
        errors = scrub(draft, ScrubContext(today=today, payer=payer))
        if errors or payer is None:
            decision.rejected.append((draft, [f"{e.code} {e.message}" for e in errors]))
            continue
        claim = contract_checked(draft)
        rendered, reasons = render_checked_837(claim, payer, submitter, pyx12=pyx12)
        if reasons:  # never sent: a clearinghouse rejects the whole batch for one invalid claim
            decision.rejected.append((draft, reasons))
            continue
        decision.claims.append(rendered)
    return decision
