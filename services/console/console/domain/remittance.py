"""What one remittance says about its claim, in the words the work queues use."""

from __future__ import annotations

from dataclasses import dataclass

from shared.schemas import Adjustment, RemittanceIssued

PATIENT_SHARE_CARCS = {"1", "2", "3"}  # deductible, coinsurance, copay (X12 CARC list)
CONTRACTUAL_CARC = "45"  # charge exceeds fee schedule / maximum allowable
PRIOR_PAYER_CARC = "23"  # the impact of prior payer(s) adjudication (coordination of benefits)


def is_denial(adjustment: Adjustment) -> bool:
    """Any reason other than the fee-schedule write-off or cost sharing (as the biller posts it)."""
    if adjustment.group == "PR":
        return adjustment.carc not in PATIENT_SHARE_CARCS
    if adjustment.group == "OA" and adjustment.carc == PRIOR_PAYER_CARC:
        return False  # a later payer's note of what the earlier payers paid and adjusted (COB)
    return adjustment.carc != CONTRACTUAL_CARC


@dataclass(frozen=True)
class Outcome:
    status: str  # paid, partially paid, denied, reversed
    denied: bool
    paid_cents: int
    contractual_cents: int
    written_off_cents: int
    patient_cents: int
    denials: list[tuple[str | None, Adjustment]]  # (line control number or None for the claim, adjustment)


def outcome(r: RemittanceIssued) -> Outcome:
    pairs: list[tuple[str | None, Adjustment]] = [(None, a) for a in r.claim_adjustments]
    pairs += [(ln.line_control_number, a) for ln in r.service_lines for a in ln.adjustments]
    contractual = sum(a.amount_cents for _, a in pairs if a.group == "CO" and a.carc == CONTRACTUAL_CARC)
    patient = sum(a.amount_cents for _, a in pairs if a.group == "PR")
    prior = sum(a.amount_cents for _, a in pairs if a.group == "OA" and a.carc == PRIOR_PAYER_CARC)
    other = sum(a.amount_cents for _, a in pairs if a.group != "PR" and a.carc != CONTRACTUAL_CARC) - prior
    denials = [(line, a) for line, a in pairs if is_denial(a)]
    denied = r.claim_status_code == "4" or any(
        ln.paid_cents == 0 and any(is_denial(a) for a in ln.adjustments) for ln in r.service_lines
    )
    if r.claim_status_code == "22":
        status = "reversed"
    elif r.claim_status_code == "4" or (denied and r.paid_cents == 0):
        status = "denied"
    elif denied:
        status = "partially paid"
    else:
        status = "paid"
    return Outcome(status, denied, r.paid_cents, contractual, other, patient, denials)
