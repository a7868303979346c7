"""The visit's diagnoses in ICD-10-CM, as a certified coder lists them: each documented entry
read and mapped (diagnosis_text), the preventive exam code by age and findings, uncertain
diagnoses settled by their signs (IV.H), then the list reasoned over as a whole
(diagnosis_rules) and checked (Excludes1, claim limits).

What the rules cannot settle becomes a review reason that says what a person must decide,
with the candidate codes ranked best first."""

from __future__ import annotations

import re

from coder.domain import icd10
from coder.domain.diagnosis_rules import Coded, apply_list_rules
from coder.domain.diagnosis_text import Entry, code_text, reason
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.text_index import normalise_text
from shared.schemas import CodedDiagnosis, Visit

MAX_CLAIM_DIAGNOSES = 12
PREVENTIVE_EXAMS = ("Z00.0", "Z00.1")
# (code without / with abnormal findings) by age: newborn under 8 days, 8-28 days, child, adult
EXAM_BY_AGE = ((8, ("Z00.110", "Z00.110")), (29, ("Z00.111", "Z00.111")), (18 * 365, ("Z00.129", "Z00.121")),
               (10**6, ("Z00.00", "Z00.01")))  # fmt: skip
ABNORMAL_FINDING = re.compile(r"^\s*abnormal findings?\s*(?:[:\-]|on exam)?\s*", re.IGNORECASE)
UNRELATED_TO_HTN = re.compile(r"\b(?:not due to|unrelated to|not related to|not caused by|not secondary to) "
                              r"(?:htn|hypertension)\b")  # fmt: skip
# Codes that document a sign or symptom (IV.D), besides chapter 18 (R00-R99)
SYMPTOM_LIKE = ("R", "M79.6", "M25.5", "M54", "H92.0", "G89", "J02.9", "N94.6")


def _supplied(position: int, raw: str) -> Entry:
    code = icd10.normalise(raw)
    if not icd10.is_code(code):
        message = f"diagnosis {position}: {code} is not an ICD-10-CM code; a person enters the intended code"
        return Entry(reasons=[reason("icd-unknown", message)])
    if not icd10.is_billable(code):
        message = f"diagnosis {position}: {code} is a category, not a billable code; choose the documented one"
        return Entry(reasons=[reason("icd-not-billable", message, icd10.billable_children(code))])
    return Entry(codes=[Coded(code, 1.0, "supplied", [raw])])


def preventive_exam(visit: Visit, abnormal: bool) -> str:
    days = (visit.service_date - visit.patient.birth_date).days
    return next(pair[abnormal] for limit, pair in EXAM_BY_AGE if days < limit)


def _exam_age_conflicts(visit: Visit, coded: list[Coded]) -> list[str]:
    """A supplied preventive-exam code for another age band: the age-correct codes."""
    right = {preventive_exam(visit, False), preventive_exam(visit, True)}
    return [c.code for c in coded if c.code.startswith(PREVENTIVE_EXAMS) and c.code not in right]


def _symptom_documented(coded: list[Coded], candidates: list[str]) -> bool:
    return any(c.code.startswith(SYMPTOM_LIKE) or c.code[:3] in {k[:3] for k in candidates} for c in coded)


def code_diagnoses(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    """In documented order: the reason for the visit first, then the conditions treated."""
    index = tables.diagnosis_index
    coded: list[Coded] = []
    uncertain: list[tuple[int, str, list[str]]] = []
    abnormal, linked = False, True
    for position, dx in enumerate(visit.diagnoses, start=1):
        text = dx.text or ""
        if not dx.code and ABNORMAL_FINDING.match(text):
            abnormal, text = True, ABNORMAL_FINDING.sub("", text)
        linked = linked and not UNRELATED_TO_HTN.search(normalise_text(text))
        entry = _supplied(position, dx.code) if dx.code else code_text(position, text, index)
        coded += entry.codes
        result.review_reasons += entry.reasons
        uncertain += [(position, cue, candidates) for cue, candidates in entry.uncertain]
    if visit.visit_type == "preventive":
        if conflicts := _exam_age_conflicts(visit, coded):
            right = preventive_exam(visit, abnormal)
            result.review_reasons.append(reason("dx-age-conflict", f"{conflicts[0]} is a preventive-exam code for "
                                                "another age: confirm the exam code for the patient's age",
                                                [right, *conflicts]))  # fmt: skip
        elif not any(c.code.startswith(PREVENTIVE_EXAMS) for c in coded):
            exam = preventive_exam(visit, abnormal)
            coded.insert(0, Coded(exam, 1.0, "text", ["preventive visit" + (", abnormal finding" if abnormal else "")]))
    for position, cue, candidates in uncertain:
        if not _symptom_documented(coded, candidates):  # IV.H: nothing documented to the highest certainty
            result.review_reasons.append(reason(
                "dx-uncertain", f"diagnosis {position} is documented as uncertain ({cue}) with no sign or symptom: "
                "code the signs or symptoms from the note, or have the provider confirm the diagnosis (IV.H)",
                [*candidates, "Z03.89"]))  # fmt: skip
    coded, reasons = apply_list_rules(coded, index.data, hypertension_linked=linked)
    result.review_reasons += reasons
    for c in coded:
        result.diagnoses.append(CodedDiagnosis(code=c.code, description=icd10.description(c.code), source=c.source,
                                               confidence=c.confidence, evidence=c.evidence))  # fmt: skip
    _check(result)


def _check(result: CodingResult) -> None:
    if not result.diagnoses and not result.review_reasons:
        result.review_reasons.append(reason("dx-missing", "no diagnosis documented: a person codes the reason for "
                                            "the visit from the note"))  # fmt: skip
    if len(result.diagnoses) > MAX_CLAIM_DIAGNOSES:
        result.review_reasons.append(reason(
            "dx-too-many", f"{len(result.diagnoses)} diagnoses; a claim carries {MAX_CLAIM_DIAGNOSES}: choose the "
            "twelve that support the services, first-listed first", [d.code for d in result.diagnoses]))  # fmt: skip
    codes = [d.code for d in result.diagnoses]
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if icd10.excludes1_conflict(a, b):
                result.review_reasons.append(reason(
                    "icd-excludes1", f"{a} and {b} exclude each other (Excludes1): keep one, or confirm the "
                    "conditions are unrelated (the Excludes1 exception)", [a, b]))  # fmt: skip
