"""The visit's diagnoses in ICD-10-CM, as a certified coder lists them: each documented entry
read and mapped (diagnosis_text), the preventive exam code by age and findings, uncertain
diagnoses settled by their signs (IV.H), then the list reasoned over as a whole
(diagnosis_rules) and checked (Excludes1, claim limits).

What the rules cannot settle becomes a review reason that says what a person must decide,
with the candidate codes ranked best first."""

from __future__ import annotations

import re
from functools import lru_cache

from coder.domain import icd10
from coder.domain.diagnosis_rules import Coded, apply_list_rules
from coder.domain.diagnosis_text import Entry, code_text, reason
from coder.domain.measures import wrong_age
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.preventive_exam import ABNORMAL_FINDING, names_the_exam, preventive_exam
from coder.domain.text_index import DiagnosisIndex, normalise_text
from shared.schemas import CodedDiagnosis, ReviewReason, Visit
from shared.schemas.visit import DiagnosisIn

MAX_CLAIM_DIAGNOSES = 12
LIST_CACHE_SIZE = 20_000
PREVENTIVE_EXAMS = ("Z00.0", "Z00.1")
# a routine gynecological (well-woman) exam is the preventive exam of its visit: no Z00.0- beside it
GYNECOLOGICAL_EXAMS = ("Z01.41",)
UNRELATED_TO_HTN = re.compile(r"\b(?:not due to|unrelated to|not related to|not caused by|not secondary to) "
                              r"(?:htn|hypertension)\b")  # fmt: skip
# Codes that document a sign or symptom (IV.D), besides chapter 18 (R00-R99)
SYMPTOM_LIKE = ("R", "M79.6", "M25.5", "M54", "H92.0", "G89", "J02.9", "N94.6")
# Medicare Code Editor newborn edit (age 0): perinatal conditions (P00-P96) and the liveborn codes (Z38). A
# chapter 16 code may follow a patient for life (I.C.16.a), so past the first year a person confirms it.
NEWBORN_CODES = ("P", "Z38")
NEWBORN_DAYS = 365


def _text_entry(position: int, text: str, index: DiagnosisIndex) -> Entry:
    """code_text, kept per (position, text): the same documented entry reads the same way."""
    key = ("entry", position, text)
    found = index.list_cache.get(key)
    if found is None:
        found = code_text(position, text, index)
        if len(index.list_cache) < LIST_CACHE_SIZE:
            index.list_cache[key] = found
    return _copy(found)


@lru_cache(maxsize=8192)
def _supplied(position: int, raw: str) -> Entry:
    code = icd10.normalise(raw)
    if not icd10.is_code(code):
        message = f"diagnosis {position}: {code} is not an ICD-10-CM code; a person enters the intended code"
        return Entry(reasons=[reason("icd-unknown", message)])
    if not icd10.is_billable(code):
        message = f"diagnosis {position}: {code} is a category, not a billable code; choose the documented one"
        return Entry(reasons=[reason("icd-not-billable", message, icd10.billable_children(code))])
    return Entry(codes=[Coded(code, 1.0, "supplied", [raw])])


def _copy(entry: Entry) -> Entry:
    return Entry(list(entry.codes), list(entry.reasons), list(entry.uncertain), entry.negated)


def _age(visit: Visit) -> int:
    born, day = visit.patient.birth_date, visit.service_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _symptom_documented(coded: list[Coded], candidates: list[str]) -> bool:
    return any(c.code.startswith(SYMPTOM_LIKE) or c.code[:3] in {k[:3] for k in candidates} for c in coded)


def code_diagnoses(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    """In documented order: the reason for the visit first, then the conditions treated. The same
    documented list (and preventive age band) always codes the same way: the outcome is kept."""
    index = tables.diagnosis_index
    exam = (preventive_exam(visit, False), preventive_exam(visit, True)) if visit.visit_type == "preventive" else None
    key = (tuple((d.code, d.text) for d in visit.diagnoses), exam)
    found = index.list_cache.get(key)
    if found is None:
        found = _code_list(visit.diagnoses, exam, index)
        if len(index.list_cache) < LIST_CACHE_SIZE:  # bounded: a worker's memory does not grow with traffic
            index.list_cache[key] = found
    coded, reasons = found
    if (visit.service_date - visit.patient.birth_date).days >= NEWBORN_DAYS:
        reasons = (*reasons, *_newborn_codes([c.code for c in coded]))
    if misfit := wrong_age([c.code for c in coded], _age(visit)):
        reasons = (*reasons, reason("dx-age-conflict", f"{misfit} is a body mass index code for another age "
                                    "(pediatric percentile Z68.5- for ages 2-19, adult value from 20): confirm the "
                                    "code for the patient's age", [misfit]))  # fmt: skip
    for c in coded:
        result.diagnoses.append(CodedDiagnosis(code=c.code, description=icd10.description(c.code), source=c.source,
                                               confidence=c.confidence, evidence=c.evidence))  # fmt: skip
    result.review_reasons += [r.model_copy(deep=True) for r in reasons]


def _code_list(
    diagnoses: list[DiagnosisIn], exam: tuple[str, str] | None, index: DiagnosisIndex
) -> tuple[tuple[Coded, ...], tuple[ReviewReason, ...]]:
    coded: list[Coded] = []
    reasons: list[ReviewReason] = []
    uncertain: list[tuple[int, str, list[str]]] = []
    abnormal, linked = False, True
    for position, dx in enumerate(diagnoses, start=1):
        text = dx.text or ""
        if not dx.code and ABNORMAL_FINDING.match(text) and (ABNORMAL_FINDING.sub("", text).strip() or exam):
            abnormal, text = True, ABNORMAL_FINDING.sub("", text)
            if not text.strip():  # "annual exam with abnormal findings": the exam code itself, added below
                continue
        if exam is not None and not dx.code and names_the_exam(text):
            continue  # the exam code itself, added below
        linked = linked and not (text and UNRELATED_TO_HTN.search(normalise_text(text)))
        entry = _copy(_supplied(position, dx.code)) if dx.code else _text_entry(position, text, index)
        coded += entry.codes
        reasons += entry.reasons
        uncertain += [(position, cue, candidates) for cue, candidates in entry.uncertain]
    if exam is not None:
        if conflicts := [c.code for c in coded if c.code.startswith(PREVENTIVE_EXAMS) and c.code not in exam]:
            message = (
                f"{conflicts[0]} is a preventive-exam code for another age: confirm the code for the patient's age"
            )
            reasons.append(reason("dx-age-conflict", message, [exam[abnormal], *conflicts]))
        elif not any(c.code.startswith((*PREVENTIVE_EXAMS, *GYNECOLOGICAL_EXAMS)) for c in coded):
            note = "preventive visit" + (", abnormal finding" if abnormal else "")
            coded.insert(0, Coded(exam[abnormal], 1.0, "text", [note]))
    for position, cue, candidates in uncertain:
        if not _symptom_documented(coded, candidates):  # IV.H: nothing documented to the highest certainty
            reasons.append(reason(
                "dx-uncertain", f"diagnosis {position} is documented as uncertain ({cue}) with no sign or symptom: "
                "code the signs or symptoms from the note, or have the provider confirm the diagnosis (IV.H)",
                [*candidates, "Z03.89"]))  # fmt: skip
    coded, more = apply_list_rules(coded, index.data, hypertension_linked=linked)
    return tuple(coded), tuple(reasons + more + _check([c.code for c in coded], reasons + more))


def _newborn_codes(codes: list[str]) -> list[ReviewReason]:
    newborn = [c for c in codes if c.startswith(NEWBORN_CODES)]
    if not newborn:
        return []
    return [reason("dx-age-newborn", f"{newborn[0]} is a newborn (perinatal) code on a patient past the first year: "
                   "confirm the perinatal condition is still present (I.C.16.a) or code the condition as it is now",
                   newborn)]  # fmt: skip


def _check(codes: list[str], earlier: list[ReviewReason]) -> list[ReviewReason]:
    """Claim limits and Excludes1 over the final list."""
    found: list[ReviewReason] = []
    if not codes and not earlier:
        found.append(reason("dx-missing", "no diagnosis documented: a person codes the reason for the visit from "
                            "the note"))  # fmt: skip
    if len(codes) > MAX_CLAIM_DIAGNOSES:
        found.append(reason(
            "dx-too-many", f"{len(codes)} diagnoses; a claim carries {MAX_CLAIM_DIAGNOSES}: choose the twelve that "
            "support the services, first-listed first", codes))  # fmt: skip
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if icd10.excludes1_conflict(a, b):
                found.append(reason(
                    "icd-excludes1", f"{a} and {b} exclude each other (Excludes1): keep one, or confirm the "
                    "conditions are unrelated (the Excludes1 exception)", [a, b]))  # fmt: skip
    return found
