"""Code one visit: diagnoses (ICD-10-CM), E/M and procedure lines, diagnosis pointers.

Anything the rules cannot settle becomes a review reason; an encounter with any reason is
not coded by the engine but handed to a person (the `coding-review` topic)."""

from __future__ import annotations

from rcmflow.coder.domain import em, icd10
from rcmflow.coder.domain.model import CodingResult, ReferenceTables
from rcmflow.coder.domain.text_index import Unsure, normalise_text
from rcmflow.shared.schemas import CodedDiagnosis, CodedServiceLine, ReviewReason, Visit

MAX_CLAIM_DIAGNOSES = 12
MAX_POINTERS = 4
TELEHEALTH_PLACES = {"02", "10"}


def place_of_service(visit: Visit) -> str:
    if visit.visit_type == "telehealth":
        pos = visit.facility.place_of_service
        return pos if pos in TELEHEALTH_PLACES else "10"
    return visit.facility.place_of_service


def code_diagnoses(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    seen: set[str] = set()
    for position, dx in enumerate(visit.diagnoses, start=1):
        if dx.code:
            code = icd10.normalise(dx.code)
            if not icd10.is_code(code):
                result.review_reasons.append(
                    ReviewReason(code="icd-unknown", message=f"diagnosis {position}: {code} is not an ICD-10-CM code")
                )
                continue
            if not icd10.is_billable(code):
                result.review_reasons.append(
                    ReviewReason(
                        code="icd-not-billable",
                        message=f"diagnosis {position}: {code} is a category, not a billable code",
                        suggestions=icd10.billable_children(code),
                    )
                )
                continue
            coded = CodedDiagnosis(
                code=code, description=icd10.description(code), source="supplied", confidence=1.0, evidence=[dx.code]
            )
        else:
            found = tables.diagnosis_index.lookup(dx.text or "")
            if isinstance(found, Unsure):
                result.review_reasons.append(
                    ReviewReason(
                        code="dx-text-unsure",
                        message=f"diagnosis {position}: {found.reason}",
                        suggestions=found.suggestions,
                    )
                )
                continue
            coded = CodedDiagnosis(
                code=found.code,
                description=icd10.description(found.code),
                source="text",
                confidence=found.confidence,
                evidence=found.evidence,
            )
        if coded.code in seen:
            continue  # the same diagnosis twice: a claim lists it once
        seen.add(coded.code)
        result.diagnoses.append(coded)
    if not result.diagnoses and not result.review_reasons:
        result.review_reasons.append(ReviewReason(code="dx-missing", message="no diagnosis documented"))
    if len(result.diagnoses) > MAX_CLAIM_DIAGNOSES:
        result.diagnoses = result.diagnoses[:MAX_CLAIM_DIAGNOSES]


def code_em(visit: Visit, result: CodingResult) -> None:
    payer_id = visit.coverage.payer_id if visit.coverage else None
    if visit.visit_type == "preventive":
        lines = [em.preventive_em(visit.patient_status, visit.patient.birth_date, visit.service_date)]
    else:
        found = em.office_em(visit.patient_status, visit.total_minutes, visit.mdm, payer_id)
        if found is None:
            result.review_reasons.append(
                ReviewReason(code="em-no-basis", message="new-patient visit without total time or MDM")
            )
            return
        lines = found
    modifiers = ["95"] if visit.visit_type == "telehealth" else []
    for line in lines:
        result.service_lines.append(
            CodedServiceLine(
                procedure_code=line.code,
                modifiers=modifiers if em.is_office_em(line.code) else [],
                units=line.units,
                diagnosis_pointers=[1],
                source="em-rules",
                evidence=[line.evidence],
            )
        )


def code_procedures(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    for position, proc in enumerate(visit.procedures, start=1):
        if proc.code:
            code, source, evidence = proc.code, "supplied", proc.code
        else:
            phrase = normalise_text(proc.text or "")
            code = tables.procedure_phrases.get(phrase, "")
            source, evidence = "text", phrase
            if not code:
                result.review_reasons.append(
                    ReviewReason(
                        code="proc-text-unmatched", message=f"procedure {position}: no code for the text given"
                    )
                )
                continue
        result.service_lines.append(
            CodedServiceLine(
                procedure_code=code,
                modifiers=list(proc.modifiers),
                units=proc.units,
                diagnosis_pointers=[1],
                source=source,
                evidence=[evidence],
            )
        )


def assign_pointers(result: CodingResult) -> None:
    """Each line points at up to four claim diagnoses, the visit's primary reason first."""
    pointers = list(range(1, min(len(result.diagnoses), MAX_POINTERS) + 1))
    for line in result.service_lines:
        line.diagnosis_pointers = pointers or [1]


def code_visit(visit: Visit, tables: ReferenceTables) -> CodingResult:
    result = CodingResult(place_of_service=place_of_service(visit))
    code_diagnoses(visit, tables, result)
    code_em(visit, result)
    code_procedures(visit, tables, result)
    assign_pointers(result)
    return result
