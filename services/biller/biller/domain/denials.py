"""Working denials: what the biller can correct by itself and resubmit as a replacement claim
(frequency 7, REF*F8 = the payer's claim number), and what goes to the work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from biller.domain.posting import is_denial
from shared import ids
from shared.schemas import ClaimSubmitted, RemittanceIssued

OFFICE_EM_PREFIXES = ("9920", "9921")
MAX_AUTOMATIC_CORRECTIONS = 1  # then a person looks: never a loop of resubmissions


@dataclass(frozen=True)
class Correction:
    replacement: ClaimSubmitted
    reason: str


def _denials(remittance: RemittanceIssued) -> list[tuple[str, str]]:
    """(line control number or "", CARC) of every denial adjustment."""
    out = [("", a.carc) for a in remittance.claim_adjustments if is_denial(a)]
    out += [(ln.line_control_number, a.carc) for ln in remittance.service_lines for a in ln.adjustments if is_denial(a)]
    return out


def correct(
    claim: ClaimSubmitted, remittance: RemittanceIssued, corrections_so_far: int, now: datetime
) -> Correction | None:
    """A replacement claim when a denial is one the biller can fix, else None (work queue).

    CARC 4 (modifier missing) on an office E/M: the same-day procedure makes it a separately
    identifiable service, so modifier 25 is added. CARC 16 (information missing): the claim is
    sent again as the biller now holds it, once."""
    if remittance.claim_status_code == "22" or corrections_so_far >= MAX_AUTOMATIC_CORRECTIONS:
        return None
    denials = _denials(remittance)
    lines = [ln.model_copy(update={"modifiers": list(ln.modifiers)}) for ln in claim.service_lines]
    by_lcn = {ln.line_control_number: ln for ln in lines}
    reasons = []
    for lcn, carc in denials:
        line = by_lcn.get(lcn)
        if carc == "4" and line is not None and line.procedure_code.startswith(OFFICE_EM_PREFIXES):
            if "25" not in line.modifiers and len(line.modifiers) < 4:
                line.modifiers.insert(0, "25")
                reasons.append(f"modifier 25 added to {line.procedure_code} (CARC 4)")
        elif carc == "16" and not any("CARC 16" in r for r in reasons):
            reasons.append("resubmitted with complete information (CARC 16)")
    if not reasons:
        return None
    replacement = replacement_claim(
        claim, remittance.payer_claim_control_number, remittance.event_id, now, {"service_lines": lines}
    )
    return Correction(replacement, "; ".join(reasons))


def replacement_claim(
    claim: ClaimSubmitted, payer_claim_control_number: str, caused_by: object, now: datetime, changes: dict
) -> ClaimSubmitted:
    """The claim sent again as a replacement of the payer's answer (frequency 7, REF*F8 = the
    payer's claim number), with `changes`; its event id follows from what caused it (a
    remittance, or a person's action), so a redelivery makes the same replacement."""
    return claim.model_copy(
        update={
            **changes,
            "event_id": ids.event_id("claim", claim.patient_control_number, "7", caused_by),
            "frequency_code": "7",
            "payer_claim_control_number": payer_claim_control_number,
            "occurred_at": now,
            "x12_837": None,
        }
    )
