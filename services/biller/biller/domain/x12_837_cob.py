"""The 837P's coordination-of-benefits loops (005010X222A1), for claims that name other payers.

2320 other subscriber information, one per other payer: SBR (its responsibility sequence, the
patient's relationship to its subscriber, group number, claim filing indicator), for a payer that
has answered its claim-level CAS (one segment per group, up to six reasons each), AMT*D what it
paid and AMT*EAF what it left the patient; OI (benefits assigned, release of information).
2330A its subscriber (NM1*IL, member id) and 2330B the payer (NM1*PR, payer id). 2430 per service
line and per payer that answered: SVD (payer id, paid, procedure, units), CAS, DTP*573 the
adjudication date, AMT*EAF the line's remaining patient liability."""

from __future__ import annotations

from shared import x12
from shared.schemas import Adjustment, ClaimLine, ClaimSubmitted
from shared.schemas.cob import OtherPayer, PriorPayer
from shared.x12 import code, element, money

C = x12.COMPONENT_SEPARATOR
RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}  # SBR02
REASONS_PER_CAS = 6
MAX_CAS = 5


def cas_segments(adjustments: list[Adjustment], where: str) -> list[x12.Segment]:
    """CAS by group, in the order the groups first appear; at most six reasons a segment."""
    by_group: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        if a.amount_cents:
            by_group.setdefault(a.group, []).append(a)
    segments: list[x12.Segment] = []
    for group, items in by_group.items():
        for start in range(0, len(items), REASONS_PER_CAS):
            cas: list[object] = ["CAS", group]
            for a in items[start : start + REASONS_PER_CAS]:
                cas += [code(a.carc, f"{where} CAS reason code", 5), money(a.amount_cents), ""]
            segments.append(cas[:-1])
    if len(segments) > MAX_CAS:
        raise x12.X12ElementError(f"{where} CAS", f"more than {MAX_CAS} adjustment segments")
    return segments


def _other_payer_loop(other: OtherPayer, claim: ClaimSubmitted) -> list[x12.Segment]:
    where = f"2320 {other.sequence}"
    cov = other.coverage
    segments: list[x12.Segment] = [
        ["SBR", other.sequence, RELATIONSHIP[cov.relationship],
         element(cov.group_number, f"{where} SBR03 group number", 50, required=False), "", "", "", "", "",
         code(other.claim_filing_indicator, f"{where} SBR09 claim filing indicator", 2)],
    ]  # fmt: skip
    if isinstance(other, PriorPayer):
        segments += cas_segments(other.claim_adjustments, where)
        segments += [["AMT", "D", money(other.paid_cents)], ["AMT", "EAF", money(other.remaining_patient_cents)]]
    segments.append(["OI", "", "", "Y", "", "", "Y"])
    sub = cov.subscriber if cov.relationship != "self" else None
    last, first = (sub.last_name, sub.first_name) if sub else (claim.patient.last_name, claim.patient.first_name)
    segments += [
        ["NM1", "IL", "1", element(last, "2330A NM103 last name", 60, truncate=True),
         element(first, "2330A NM104 first name", 35, truncate=True), "", "", "", "MI",
         element(cov.member_id, "2330A NM109 member id", 80, 2)],
        ["NM1", "PR", "2", element(other.payer_name, "2330B NM103 payer name", 60, truncate=True), "", "", "", "",
         "PI", element(other.x12_payer_id, "2330B NM109 payer id", 80, 2)],
    ]  # fmt: skip
    return segments


def other_payer_loops(claim: ClaimSubmitted) -> list[x12.Segment]:
    """Loops 2320/2330A/2330B: the payers that answered before this one, then those still to come."""
    segments: list[x12.Segment] = []
    for other in [*claim.prior_payers, *claim.later_payers]:
        segments += _other_payer_loop(other, claim)
    return segments


def line_adjudication_loops(claim: ClaimSubmitted, line: ClaimLine) -> list[x12.Segment]:
    """Loop 2430 of one service line: each earlier payer's answer to it."""
    segments: list[x12.Segment] = []
    where = f"2430 line {line.line_number}"
    for prior in claim.prior_payers:
        answered = next((p for p in prior.lines if p.line_control_number == line.line_control_number), None)
        if answered is None:
            continue
        modifiers = [code(m, f"{where} SVD03 modifier", 2, 2) for m in answered.modifiers[:4]]
        procedure = C.join(["HC", code(answered.procedure_code, f"{where} SVD03 procedure code", 5, 5), *modifiers])
        segments += [
            ["SVD", element(prior.x12_payer_id, f"{where} SVD01 payer id", 80, 2), money(answered.paid_cents),
             procedure, "", answered.units],
            *cas_segments(answered.adjustments, where),
            ["DTP", "573", "D8", prior.adjudicated_on.strftime("%Y%m%d")],
            ["AMT", "EAF", money(answered.remaining_patient_cents)],
        ]  # fmt: skip
    return segments
