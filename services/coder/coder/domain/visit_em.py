"""Which E/M a visit carries, if any. No E/M is invented: 99211 only for a clinical-staff visit; an
injection-, vaccine- or procedure-only visit has none unless a separate problem was documented with
its own time or MDM; preventive time never makes a problem E/M."""

from __future__ import annotations

from coder.domain import em, payer_rules
from coder.domain.model import PayerRules, ReferenceTables
from coder.domain.modifiers import needs_separate_em
from shared.schemas import CodedServiceLine, ReviewReason, Visit

# Encounter, screening, immunization and counseling Z codes: the reason for a preventive or immunization
# visit, never by themselves the separate problem a same-day problem E/M needs.
NOT_A_PROBLEM = ("Z00", "Z01", "Z02", "Z11", "Z12", "Z13", "Z23", "Z68", "Z71")


def _reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


def problems(diagnoses: list[str]) -> list[str]:
    return [code for code in diagnoses if not code.startswith(NOT_A_PROBLEM)]


def _line(found: em.EMLine, modifiers: list[str] | None = None) -> CodedServiceLine:
    return CodedServiceLine(procedure_code=found.code, modifiers=modifiers or [], units=found.units,
                            diagnosis_pointers=[1], source="em-rules", evidence=[found.evidence])  # fmt: skip


def _level_suggestions(status: str) -> list[str]:
    return [f"{em.FIRST_DIGITS[status]}{level}" for level in range(2, 6)]


def preventive(
    visit: Visit, rules: PayerRules, diagnoses: list[str], reasons: list[ReviewReason]
) -> list[CodedServiceLine]:
    lines: list[CodedServiceLine] = []
    if rules.medicare_wellness:
        found = payer_rules.medicare_wellness(visit)
        if isinstance(found, ReviewReason):
            reasons.append(found)
        else:
            lines.append(_line(found))
    else:
        lines.append(_line(em.preventive_em(visit.patient_status, visit.patient.birth_date, visit.service_date)))
    if visit.problem_minutes is None and visit.problem_mdm is None:
        return lines  # conditions addressed within the preventive service are part of it
    if not problems(diagnoses):
        return lines  # problem work without a separate problem is part of the preventive service
    found_lines = em.office_em(visit.patient_status, visit.problem_minutes, visit.problem_mdm, rules.prolonged_code)
    if found_lines is None:
        reasons.append(_reason("em-no-basis", "the problem time documented on the preventive visit is below level 2: "
                               "a person decides", _level_suggestions(visit.patient_status)))  # fmt: skip
        return lines
    for found in found_lines:
        mods = ["25"] if em.is_office_em(found.code) else []
        line = _line(found, mods)
        if mods:
            line.evidence.append("separate problem on a preventive visit day (25)")
        lines.append(line)
    return lines


def _immunization_only(tables: ReferenceTables, procedures: list[CodedServiceLine], diagnoses: list[str]) -> bool:
    """The record names immunization as the reason (Z23 documented) and nothing but vaccines was done."""
    documented = [code for code in diagnoses if not code.startswith("Z00")]  # Z00.- is the coder's, by the visit type
    kinds = {tables.catalog[ln.procedure_code].kind for ln in procedures}
    return documented == ["Z23"] and "vaccine" in kinds and kinds <= {"vaccine", "vaccine-admin"}


def code_em(
    visit: Visit,
    tables: ReferenceTables,
    rules: PayerRules,
    procedures: list[CodedServiceLine],
    diagnoses: list[str],
    reasons: list[ReviewReason],
) -> list[CodedServiceLine]:
    if visit.visit_type == "preventive":
        if _immunization_only(tables, procedures, diagnoses):
            reasons.append(_reason("preventive-immunization-only", (
                "a preventive visit whose only documented reason is immunization (Z23) and whose only services are "
                "vaccines: a person decides whether the age-appropriate preventive exam was performed and documented "
                "(CPT preventive medicine guidelines) or the visit was the vaccine only (ICD-10-CM I.C.21.c.2)"),
                ["vaccine only", "preventive code"]))  # fmt: skip
            return []
        return preventive(visit, rules, diagnoses, reasons)
    entries = [tables.catalog[ln.procedure_code] for ln in procedures]
    separate = [e.code for e in entries if needs_separate_em(e, tables)]
    if visit.visit_type == "nurse":
        if procedures:
            return []  # the injection, vaccine, test or procedure is the service: no 99211 beside it
        nurse = em.nurse_visit(visit.patient_status)
        if nurse is None:
            if not procedures:
                reasons.append(_reason("em-no-basis", "a clinical-staff visit (99211) is for established patients "
                                       "only: a person decides"))  # fmt: skip
            return []
        return [_line(nurse)]
    found = em.office_em(visit.patient_status, visit.total_minutes, visit.mdm, rules.prolonged_code)
    if found is None:
        if procedures:
            return []  # a procedure-only visit: the procedures are the service
        reasons.append(_reason("em-no-basis", (
            f"{visit.patient_status}-patient visit without total time or MDM: a person decides the level "
            "(99211 is billed only for a clinical-staff visit)"),
            _level_suggestions(visit.patient_status)))  # fmt: skip
        return []
    if separate and not problems(diagnoses):
        return []  # an immunization or injection visit without a problem: the time is the service's, no E/M
    return [_line(line) for line in found]
