"""Posting a remittance to its claim: paid, contractual write-off, patient share by kind, denials, status."""

from __future__ import annotations

from biller.domain.model import ClaimStatus, LinePosting, Posting
from shared.schemas import Adjustment, ClaimSubmitted, RemittanceIssued, RemittanceLine

PATIENT_KIND = {"1": "deductible", "2": "coinsurance", "3": "copay"}


class PostingError(ValueError):
    """The remittance cannot be posted as it stands; it goes to the exception list."""


def is_denial(adjustment: Adjustment) -> bool:
    """A denial is any reason other than the contractual fee-schedule write-off or cost sharing."""
    if adjustment.group == "PR":
        return adjustment.carc not in PATIENT_KIND
    if adjustment.group == "OA" and adjustment.carc == "23":
        return False  # a later payer's note of what earlier payers paid and adjusted (COB)
    return adjustment.carc != "45"


def match_lines(claim: ClaimSubmitted, remitted: list[RemittanceLine]) -> list[str]:
    """The claim line each remittance line answers: by REF*6R, or, where the payer dropped it or
    changed the line, by procedure code (modifiers aside) among the lines not yet matched."""
    known = {ln.line_control_number for ln in claim.service_lines}
    taken = {ln.line_control_number for ln in remitted if ln.line_control_number in known}
    matched = []
    for line in remitted:
        if line.line_control_number in known:
            matched.append(line.line_control_number)
            continue
        candidates = [
            c.line_control_number
            for c in claim.service_lines
            if c.procedure_code == line.procedure_code and c.line_control_number not in taken
        ]
        if not candidates:
            raise PostingError(f"service line {line.line_control_number or line.procedure_code} matches no claim line")
        taken.add(candidates[0])
        matched.append(candidates[0])
    return matched


def post(claim: ClaimSubmitted, remittance: RemittanceIssued) -> Posting:
    if not remittance.balances:
        raise PostingError("remittance does not balance (CLP03 - CLP04 != CAS total, or CLP05 != PR total)")
    reversal = remittance.claim_status_code == "22"  # the payer takes back an earlier answer
    expected = -claim.total_charge_cents if reversal else claim.total_charge_cents
    if remittance.total_charge_cents != expected:
        raise PostingError("remittance total charge differs from the claim's CLM02")
    patient_by_kind = {"deductible": 0, "coinsurance": 0, "copay": 0, "other": 0}
    lines: list[LinePosting] = []
    denials: list[tuple[str | None, Adjustment]] = []
    for lcn, ln in zip(match_lines(claim, remittance.service_lines), remittance.service_lines, strict=True):
        patient = sum(a.amount_cents for a in ln.adjustments if a.group == "PR")
        for a in ln.adjustments:
            if a.group == "PR":
                patient_by_kind[PATIENT_KIND.get(a.carc, "other")] += a.amount_cents
            if is_denial(a) and not reversal:
                denials.append((lcn, a))
        lines.append(
            LinePosting(
                line_control_number=lcn,
                allowed_cents=ln.allowed_cents,
                paid_cents=ln.paid_cents,
                patient_cents=patient,
                adjustment_cents=ln.charge_cents - ln.paid_cents - patient,
                denied=not reversal and ln.paid_cents == 0 and any(is_denial(a) for a in ln.adjustments),
            )
        )
    if not reversal:
        denials += [(None, a) for a in remittance.claim_adjustments if is_denial(a)]
    patient_total = remittance.patient_responsibility_cents
    denied_lines = sum(1 for ln in lines if ln.denied)
    status: ClaimStatus
    if reversal:
        status = "reversed"
    elif remittance.claim_status_code == "4" or (lines and denied_lines == len(lines)):
        status = "denied"
    elif denied_lines:
        status = "partially_paid"
    else:
        status = "paid"
    return Posting(
        status=status,
        paid_cents=remittance.paid_cents,
        allowed_cents=sum(ln.allowed_cents for ln in lines),
        patient_cents=patient_total,
        adjustment_cents=remittance.total_charge_cents - remittance.paid_cents - patient_total,
        patient_by_kind=patient_by_kind,
        lines=lines,
        denials=denials,
    )
