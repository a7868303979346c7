"""Payer rules read from data/payer_rules.yaml, Medicare first: the wellness visits (IPPE, AWV)
instead of routine physicals, Medicare's own vaccine administration codes, telehealth place of
service and modifier, QW on CLIA-waived tests."""

from __future__ import annotations

from datetime import date

from coder.domain.em import EMLine
from coder.domain.model import PayerRules, ReferenceTables
from coder.domain.vaccines import Draft
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
    return [ReviewReason(code="payer-not-covered", suggestions=[AWV_FIRST, AWV_NEXT] if code.startswith("993") else [],
                         message=f"{code} is not covered by {rules.payer_id}: a person decides whether the patient is "
                                 "billed with an advance notice (GA/GY) or another service applies")
            for code in found]  # fmt: skip


def part_d_vaccines(lines: list[CodedServiceLine], rules: PayerRules, diagnoses: list[str]) -> list[ReviewReason]:
    """Vaccines the payer covers under Part D (Medicare: zoster, RSV, Tdap/Td outside injury care; Pub. 100-02
    ch. 15 50.4.4.2) are not billed on the Part B claim; tetanus given for an injury is Part B."""
    if not rules.part_d_vaccines:
        return []
    injury = any(code[:1] in ("S", "T") for code in diagnoses)
    found = [ln.procedure_code for ln in lines if ln.procedure_code in rules.part_d_vaccines
             and not (injury and ln.procedure_code in rules.part_b_for_injury)]  # fmt: skip
    return [ReviewReason(code="payer-part-d-vaccine", suggestions=[code], message=(
        f"{code} is a Part D vaccine for {rules.payer_id}, not billed on the Part B claim (no injury documented for "
        "a tetanus vaccine): a person bills the patient's Part D plan or documents the injury it was given for"))
        for code in found]  # fmt: skip


def administration_lines(drafts: list[Draft], tables: ReferenceTables, rules: PayerRules) -> list[Draft]:
    """Administration written as text ("vaccine administration") beside the vaccines: one administration per
    vaccine, the payer's own code for its groups (Medicare: G0008 flu, G0009 pneumococcal, G0010 hepatitis
    B), else 90471 for the first and 90472 for each further one. Supplied codes are left for the edits."""
    admin = [d for d in drafts if tables.catalog[d.code].kind == "vaccine-admin"]
    products = [d for d in drafts if tables.catalog[d.code].kind == "vaccine"]
    if not admin or not products or any(d.origin != "text" or d.code not in GENERIC_ADMINISTRATION for d in admin):
        return drafts  # supplied codes stay as sent (see payer_administration for the payer's own codes)
    wanted: list[str] = []
    generic = 0
    for product in products:
        group = tables.catalog[product.code].group
        if group in rules.vaccine_administration:
            wanted.append(rules.vaccine_administration[group])
        else:
            generic += 1
            wanted.append("90471" if generic == 1 else "90472")
    first = drafts.index(admin[0])
    kept = [d for d in drafts if d not in admin]
    evidence = [*admin[0].line.evidence, f"{rules.payer_id}: one administration per vaccine"]
    new = [Draft(CodedServiceLine(procedure_code=code, modifiers=[], units=1, diagnosis_pointers=[1], source="text",
                                  evidence=list(evidence)), "text", admin[0].item) for code in wanted]  # fmt: skip
    position = len([d for d in drafts[:first] if d not in admin])
    return kept[:position] + new + kept[position:]


def payer_administration(drafts: list[Draft], tables: ReferenceTables, rules: PayerRules) -> list[ReviewReason]:
    """Supplied generic administration codes beside a vaccine the payer administers with its own code."""
    groups = sorted({tables.catalog[d.code].group for d in drafts if tables.catalog[d.code].kind == "vaccine"}
                    & set(rules.vaccine_administration))  # fmt: skip
    generic = [d.code for d in drafts if d.origin == "supplied" and d.code in GENERIC_ADMINISTRATION]
    if not groups or not generic:
        return []
    wanted = [rules.vaccine_administration[g] for g in groups]
    return [ReviewReason(code="payer-administration-code", suggestions=wanted, message=(
        f"{', '.join(generic)} sent for a vaccine {rules.payer_id} administers with its own code "
        f"({', '.join(wanted)}): a person recodes the administration"))]  # fmt: skip


def waived_test_modifier(drafts: list[Draft], tables: ReferenceTables, rules: PayerRules) -> None:
    """QW where the payer asks for it: on tests that are waived in the office, and on those waived only on
    a point-of-care analyzer when the text says so."""
    if rules.waived_test_modifier is None:
        return
    for d in drafts:
        waived = tables.catalog[d.code].waived_qw
        if (
            waived == "Y" or (waived == "POC" and "poc" in d.flags)
        ) and rules.waived_test_modifier not in d.line.modifiers:
            d.line.modifiers.append(rules.waived_test_modifier)
            d.line.evidence.append(f"CLIA-waived test: {rules.waived_test_modifier} for {rules.payer_id}")


def ippe_ecg(lines: list[CodedServiceLine], rules: PayerRules) -> None:
    """The screening ECG of a Medicare IPPE has its own code."""
    if rules.ippe_ecg and any(ln.procedure_code == IPPE for ln in lines):
        for ln in lines:
            if ln.procedure_code == "93000":
                ln.procedure_code = rules.ippe_ecg
                ln.evidence.append(f"screening ECG with the IPPE: {rules.ippe_ecg}")
