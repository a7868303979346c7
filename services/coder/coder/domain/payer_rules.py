"""Payer rules read from data/payer_rules.yaml, Medicare first: the wellness visits (IPPE, AWV)
instead of routine physicals, Medicare's own vaccine administration codes, telehealth place of
service and modifier, QW on CLIA-waived tests."""

from __future__ import annotations

from datetime import date

from coder.domain.em import EMLine
from coder.domain.model import PayerRules, ReferenceTables
from shared.schemas import CodedServiceLine, ReviewReason, Visit

IPPE, AWV_FIRST, AWV_NEXT = "G0402", "G0438", "G0439"
TELEHEALTH_PLACES = ("02", "10")
GENERIC_ADMINISTRATION = ("90471", "90472")


def rules_for(visit: Visit, tables: ReferenceTables) -> PayerRules:
    return tables.payer(visit.coverage.payer_id if visit.coverage else None)


def place_of_service(visit: Visit, tables: ReferenceTables) -> str:
    """Telehealth: the facility's telehealth place when it gave one (02 or 10), else the payer's."""
    if visit.visit_type == "telehealth":
        pos = visit.facility.place_of_service
        return pos if pos in TELEHEALTH_PLACES else rules_for(visit, tables).telehealth_place
    return visit.facility.place_of_service


def _months_after(earlier: date, later: date) -> int:
    """Calendar months from the month of `earlier` to the month of `later` (12: a year later, same month)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _within_first_year(start: date, on: date) -> bool:
    return (on.year, on.month, on.day) < (start.year + 1, start.month, start.day)


def medicare_wellness(visit: Visit) -> EMLine | ReviewReason:
    """IPPE in the first 12 months of Part B; then the first AWV, then a subsequent AWV once at least
    11 full months have passed after the month of the last one. Too soon, or unknown: a person decides."""
    on, last = visit.service_date, visit.last_wellness_visit
    part_b = visit.coverage.effective_date if visit.coverage else None
    choices = [IPPE, AWV_FIRST, AWV_NEXT]
    if part_b is None and last is None:
        return ReviewReason(code="wellness-basis", suggestions=choices, message=(
            "Medicare preventive visit without the Part B start date or the last wellness visit: "
            "a person decides IPPE, first AWV or subsequent AWV"))  # fmt: skip
    if part_b is not None and _within_first_year(part_b, on):
        if last is not None and last >= part_b:
            return ReviewReason(code="wellness-too-soon", suggestions=[IPPE], message=(
                "Medicare covers one IPPE, in the first 12 months of Part B, and it appears done: a person "
                "decides (the patient may be billed with an ABN, modifier GA)"))  # fmt: skip
        return EMLine(IPPE, 1, "Medicare IPPE: within the first 12 months of Part B")
    if last is not None and _months_after(last, on) < 12:
        return ReviewReason(code="wellness-too-soon", suggestions=[AWV_NEXT], message=(
            "Medicare annual wellness visit less than 11 full months after the last wellness visit: not covered; "
            "a person decides (bill the patient with an ABN, modifier GA, or reschedule)"))  # fmt: skip
    if last is None or (part_b is not None and (last < part_b or _within_first_year(part_b, last))):
        # never had one, or the last was the IPPE or a physical before Medicare: the first AWV
        return EMLine(AWV_FIRST, 1, "Medicare initial AWV: no annual wellness visit before")
    return EMLine(AWV_NEXT, 1, "Medicare subsequent AWV: 11 full months after the last wellness visit")


def not_covered(lines: list[CodedServiceLine], rules: PayerRules) -> list[ReviewReason]:
    found = [ln.procedure_code for ln in lines if ln.procedure_code in rules.not_covered]
    return [ReviewReason(code="payer-not-covered", suggestions=[AWV_FIRST, AWV_NEXT] if rules.medicare_wellness else [],
                         message=f"{code} is not covered by {rules.payer_id}: a person decides whether the patient is "
                                 "billed with an advance notice (GA/GY) or another service applies")
            for code in found]  # fmt: skip


def administration_lines(lines: list[CodedServiceLine], tables: ReferenceTables, rules: PayerRules) -> None:
    """One administration per vaccine product: the payer's own code for its groups (Medicare: G0008 flu,
    G0009 pneumococcal, G0010 hepatitis B), else 90471 for the first and 90472 for each further one.
    Only rebuilt when the documented administration lines are the generic or Medicare ones."""
    admin = [ln for ln in lines if tables.catalog[ln.procedure_code].kind == "vaccine-admin"]
    products = [ln for ln in lines if tables.catalog[ln.procedure_code].kind == "vaccine"]
    known = set(GENERIC_ADMINISTRATION) | set(rules.vaccine_administration.values()) | {"G0008", "G0009", "G0010"}
    if not admin or not products or any(ln.procedure_code not in known for ln in admin):
        return
    codes: list[str] = []
    for product in products:
        group = tables.catalog[product.procedure_code].group
        codes.append(rules.vaccine_administration.get(group, ""))
    generic = sum(1 for c in codes if not c)
    rebuilt = [c for c in codes if c]
    if generic:
        rebuilt.append("90471")
    wanted: list[tuple[str, int]] = [(c, 1) for c in rebuilt] + ([("90472", generic - 1)] if generic > 1 else [])
    template = admin[0]
    first_index = lines.index(template)
    for ln in admin:
        lines.remove(ln)
    new = [CodedServiceLine(procedure_code=code, modifiers=[], units=units, diagnosis_pointers=[1],
                            source=template.source, evidence=[*template.evidence, f"{rules.payer_id}: one "
                            "administration per vaccine"]) for code, units in wanted]  # fmt: skip
    lines[first_index:first_index] = new


def waived_test_modifier(lines: list[CodedServiceLine], tables: ReferenceTables, rules: PayerRules) -> None:
    if rules.waived_test_modifier is None:
        return
    for ln in lines:
        if tables.catalog[ln.procedure_code].waived_qw and rules.waived_test_modifier not in ln.modifiers:
            ln.modifiers.append(rules.waived_test_modifier)
            ln.evidence.append(f"CLIA-waived test: {rules.waived_test_modifier} for {rules.payer_id}")
