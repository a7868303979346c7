"""Claim assembly: a coded encounter -> priced professional claims (split past 50 lines)."""

from __future__ import annotations

from rcmflow.biller.domain.model import BillingDecision, ChargeMaster, PayerInfo
from rcmflow.shared import ids
from rcmflow.shared.schemas import ClaimLine, ClaimSubmitted, CodedEncounter, Producer

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


def decide(
    coded: CodedEncounter, charge_master: ChargeMaster, payers: dict[str, PayerInfo], producer: Producer
) -> BillingDecision:
    visit = coded.visit
    charges, problems = price(coded, charge_master, self_pay=visit.coverage is None)
    if visit.coverage is None:
        return BillingDecision(self_pay_cents=sum(charges), problems=problems)
    if visit.coverage.payer_id not in payers:
        problems.append(f"payer {visit.coverage.payer_id} is not a payer this practice bills")
    if problems:
        return BillingDecision(problems=problems)

    claims = []
    lines = list(zip(coded.service_lines, charges, strict=True))
    for split_index, start in enumerate(range(0, len(lines), MAX_LINES_PER_CLAIM)):
        chunk = lines[start : start + MAX_LINES_PER_CLAIM]
        pcn = ids.patient_control_number(visit.visit_id, split_index)
        claim_lines = [
            ClaimLine(
                line_number=n,
                line_control_number=ids.line_control_number(pcn, n),
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                units=line.units,
                charge_cents=charge,
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=visit.service_date,
            )
            for n, (line, charge) in enumerate(chunk, start=1)
        ]
        claims.append(
            ClaimSubmitted(
                event_id=ids.event_id("claim", pcn, "1", coded.event_id),
                visit_id=visit.visit_id,
                patient_id=visit.patient.id,
                producer=producer,
                received_at=coded.received_at,
                claim_id=pcn,
                patient_control_number=pcn,
                frequency_code="1",
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
            )
        )
    return BillingDecision(claims=claims)
