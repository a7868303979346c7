"""The visit's diagnoses in ICD-10-CM, as a certified coder lists them: each documented entry
read (present, negated, uncertain, history, status), mapped to codes, then the list reasoned
over as a whole (diagnosis_rules) and checked (Excludes1, claim limits).

What the rules cannot settle becomes a review reason that says what a person must decide,
with the candidate codes ranked best first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coder.domain import em, icd10
from coder.domain.clinical_text import read_statement, spell_out_signs
from coder.domain.diagnosis_rules import Coded, apply_list_rules
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.text_index import DiagnosisIndex, TextMatch, Unsure, normalise_text
from shared.schemas import CodedDiagnosis, ReviewReason, Visit

MAX_CLAIM_DIAGNOSES = 12
ADULT_PREVENTIVE_DX, CHILD_PREVENTIVE_DX = "Z00.00", "Z00.129"
PREVENTIVE_EXAMS = ("Z00.0", "Z00.1")
# Where the index looks for a code when the statement is not about an active condition.
KIND_RANGE = {"history": "Z8", "family": "Z8", "status": "Z9"}
KIND_WORDS = {"history": "personal history of", "family": "family history of", "status": ""}
_PARTS = re.compile(r"\s*(?:[,;+&]|\band\b|\bwith\b|\s/\s)\s*")
PHRASE_CONFIDENCE = 0.97  # a phrase-table or title match; below: the scored index guessed


def reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


@dataclass
class Entry:
    """What one documented diagnosis gave: codes, a reason for a person, or an uncertain concept."""

    codes: list[Coded] = field(default_factory=list)
    reasons: list[ReviewReason] = field(default_factory=list)
    uncertain: list[tuple[str, list[str]]] = field(default_factory=list)  # (cue, candidate codes)


def _coded(found: TextMatch, evidence: list[str]) -> list[Coded]:
    return [Coded(code, found.confidence, "text", [*evidence, *found.evidence]) for code in found.codes]


def _not_active(position: int, kind: str, concept: str, cue: str, index: DiagnosisIndex) -> Entry:
    """A history, family history or status: its Z code (or the table's own code), never the condition."""
    table = {"history": index.data.history, "status": index.data.status, "family": index.data.family}[kind]
    concept_text = normalise_text(concept)
    for text in (concept_text, index.expand(concept_text)):
        if text in table:
            return Entry(codes=[Coded(c, 0.97, "text", [f"{cue}: {text}"]) for c in table[text]])
    found = index.lookup(f"{KIND_WORDS[kind]} {index.expand(concept_text)}".strip(), within=KIND_RANGE[kind])
    if isinstance(found, TextMatch):
        return Entry(codes=_coded(found, [cue]))
    where = {"history": "a personal-history code (Z85–Z87)", "family": "a family-history code (Z80–Z84)",
             "status": "a status code (Z95–Z99)"}[kind]  # fmt: skip
    message = f"diagnosis {position} is documented as {cue} a condition ({kind}): choose {where}, not the active one"
    return Entry(reasons=[reason("dx-history-unplaced", message, found.suggestions)])


def _one_statement(position: int, text: str, index: DiagnosisIndex) -> Entry:
    statement = read_statement(text)
    if statement.assertion == "absent":
        return Entry()  # documented as absent or ruled out: nothing to code
    if statement.assertion in KIND_RANGE:
        return _not_active(position, statement.assertion, statement.concept, statement.cue, index)
    if statement.assertion == "uncertain":
        entry = Entry()
        for sign in statement.signs:
            found = index.lookup(sign)
            if isinstance(found, TextMatch):
                entry.codes += _coded(found, [f"sign documented with a {statement.cue} diagnosis (IV.H)"])
        if not entry.codes:
            guesses = [index.lookup(side) for side in re.split(r"\s+(?:vs|versus)\s+", statement.concept)]
            candidates = [c for g in guesses if isinstance(g, TextMatch) for c in g.codes]
            entry.uncertain.append((statement.cue, candidates))
        return entry
    found = index.lookup(spell_out_signs(text))
    if isinstance(found, TextMatch):
        return Entry(codes=_coded(found, []))
    return Entry(reasons=[_unsure(position, found)])


def _unsure(position: int, found: Unsure) -> ReviewReason:
    return reason("dx-text-unsure", f"diagnosis {position}: choose the code for the documented text — {found.reason}"
                  + ("; candidates best first" if found.suggestions else "; no candidate found"),
                  found.suggestions)  # fmt: skip


def code_text(position: int, text: str, index: DiagnosisIndex) -> Entry:
    """One documented entry. When the whole text is not understood, or only by a scored guess,
    each part of a list ("HTN, HLD; T2DM", "diabetes with CKD 3a") is tried; the parts are taken
    when every one is understood (the list rules then join what belongs together)."""
    whole = _one_statement(position, text, index)
    if not whole.reasons and all(c.confidence >= PHRASE_CONFIDENCE for c in whole.codes):
        return whole
    parts = [p for p in _PARTS.split(spell_out_signs(text)) if normalise_text(p)]
    if len(parts) < 2:
        return whole
    entries = [_one_statement(position, p, index) for p in parts]
    if any(e.reasons for e in entries) or not any(e.codes or e.uncertain for e in entries):
        return whole
    return Entry(codes=[c for e in entries for c in e.codes], uncertain=[u for e in entries for u in e.uncertain])


def _supplied(position: int, raw: str) -> Entry:
    code = icd10.normalise(raw)
    if not icd10.is_code(code):
        return Entry(reasons=[reason("icd-unknown", f"diagnosis {position}: {code} is not an ICD-10-CM code; "
                                     "a person enters the intended code")])  # fmt: skip
    if not icd10.is_billable(code):
        message = f"diagnosis {position}: {code} is a category, not a billable code; choose the documented one"
        return Entry(reasons=[reason("icd-not-billable", message, icd10.billable_children(code))])
    return Entry(codes=[Coded(code, 1.0, "supplied", [raw])])


def _preventive_exam(visit: Visit) -> Coded:
    age = em.age_on(visit.patient.birth_date, visit.service_date)
    code = ADULT_PREVENTIVE_DX if age >= 18 else CHILD_PREVENTIVE_DX
    return Coded(code, 1.0, "text", [f"preventive visit, age {age}"])


def code_diagnoses(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    """In documented order: the reason for the visit first, then the conditions treated."""
    index = tables.diagnosis_index
    coded: list[Coded] = []
    uncertain: list[tuple[int, str, list[str]]] = []
    for position, dx in enumerate(visit.diagnoses, start=1):
        entry = _supplied(position, dx.code) if dx.code else code_text(position, dx.text or "", index)
        coded += entry.codes
        result.review_reasons += entry.reasons
        uncertain += [(position, cue, candidates) for cue, candidates in entry.uncertain]
    if visit.visit_type == "preventive" and not any(c.code.startswith(PREVENTIVE_EXAMS) for c in coded):
        coded.insert(0, _preventive_exam(visit))
    symptoms = any(c.code.startswith("R") for c in coded)
    for position, cue, candidates in uncertain:
        if not symptoms:  # IV.H: nothing documented to the highest degree of certainty
            result.review_reasons.append(reason(
                "dx-uncertain", f"diagnosis {position} is documented as uncertain ({cue}) with no sign or symptom: "
                "code the signs or symptoms from the note, or have the provider confirm the diagnosis (IV.H)",
                [*candidates, "Z03.89"]))  # fmt: skip
    coded, reasons = apply_list_rules(coded, index.data)
    result.review_reasons += reasons
    for c in coded:
        result.diagnoses.append(CodedDiagnosis(code=c.code, description=icd10.description(c.code), source=c.source,
                                               confidence=c.confidence, evidence=c.evidence))  # fmt: skip
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
