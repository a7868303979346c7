"""Code one visit: diagnoses (ICD-10-CM) sequenced and checked, E/M and procedure lines with
modifiers, NCCI-style edits, and diagnosis pointers by relevance.

Anything the rules cannot settle becomes a review reason; an encounter with any reason is not
coded by the engine but handed to a person (the `coding-review` topic)."""

from __future__ import annotations

import re

from coder.domain import em, icd10
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.text_index import Unsure, normalise_text
from shared.schemas import CodedDiagnosis, CodedServiceLine, ReviewReason, Visit

MAX_CLAIM_DIAGNOSES = 12
MAX_POINTERS = 4
TELEHEALTH_PLACES = {"02", "10"}
DISTINCT_SITE = re.compile(
    r"(\b(at|on|in) (a |an |the )?)?\b(separate|distinct|different) (site|lesion|location|area|incision)\b"
)
LATERALITY = (("bilateral", "50"), ("both", "50"), ("right", "RT"), ("left", "LT"))
ADULT_PREVENTIVE_DX, CHILD_PREVENTIVE_DX = "Z00.00", "Z00.129"


def place_of_service(visit: Visit) -> str:
    if visit.visit_type == "telehealth":
        pos = visit.facility.place_of_service
        return pos if pos in TELEHEALTH_PLACES else "10"
    return visit.facility.place_of_service


def reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


def code_diagnoses(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    """In documented order: the reason for the visit first, then the conditions treated."""
    seen: set[str] = set()
    if visit.visit_type == "preventive" and not any((d.code or "").upper().startswith("Z00") for d in visit.diagnoses):
        age = em.age_on(visit.patient.birth_date, visit.service_date)
        code = ADULT_PREVENTIVE_DX if age >= 18 else CHILD_PREVENTIVE_DX
        result.diagnoses.append(CodedDiagnosis(code=code, description=icd10.description(code), source="text",
                                               confidence=1.0, evidence=[f"preventive visit, age {age}"]))  # fmt: skip
        seen.add(code)
    for position, dx in enumerate(visit.diagnoses, start=1):
        if dx.code:
            code = icd10.normalise(dx.code)
            if not icd10.is_code(code):
                result.review_reasons.append(
                    reason("icd-unknown", f"diagnosis {position}: {code} is not an ICD-10-CM code")
                )
                continue
            if not icd10.is_billable(code):
                result.review_reasons.append(reason(
                    "icd-not-billable", f"diagnosis {position}: {code} is a category, not a billable code",
                    icd10.billable_children(code)))  # fmt: skip
                continue
            coded = CodedDiagnosis(code=code, description=icd10.description(code), source="supplied", confidence=1.0,
                                   evidence=[dx.code])  # fmt: skip
        else:
            found = tables.diagnosis_index.lookup(dx.text or "")
            if isinstance(found, Unsure):
                result.review_reasons.append(reason("dx-text-unsure", f"diagnosis {position}: {found.reason}",
                                                    found.suggestions))  # fmt: skip
                continue
            coded = CodedDiagnosis(code=found.code, description=icd10.description(found.code), source="text",
                                   confidence=found.confidence, evidence=found.evidence)  # fmt: skip
        if coded.code in seen:
            continue  # the same diagnosis twice: a claim lists it once
        seen.add(coded.code)
        result.diagnoses.append(coded)
    if not result.diagnoses and not result.review_reasons:
        result.review_reasons.append(reason("dx-missing", "no diagnosis documented"))
    if len(result.diagnoses) > MAX_CLAIM_DIAGNOSES:
        result.review_reasons.append(
            reason(
                "dx-too-many",
                f"{len(result.diagnoses)} diagnoses; a claim carries {MAX_CLAIM_DIAGNOSES}: a person chooses",
            )
        )
    codes = [d.code for d in result.diagnoses]
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if icd10.excludes1_conflict(a, b):
                result.review_reasons.append(
                    reason("icd-excludes1", f"{a} and {b} exclude each other (Excludes1)", [a, b])
                )


def code_em(visit: Visit, result: CodingResult) -> None:
    payer_id = visit.coverage.payer_id if visit.coverage else None
    lines: list[em.EMLine] = []
    problem_documented = visit.mdm is not None or visit.total_minutes is not None
    if visit.visit_type == "preventive":
        lines.append(em.preventive_em(visit.patient_status, visit.patient.birth_date, visit.service_date))
        if problem_documented:  # a problem addressed too: its own E/M, modifier 25
            found = em.office_em(visit.patient_status, visit.total_minutes, visit.mdm, payer_id)
            if found and found[0].code != "99211":
                lines += found
    else:
        found = em.office_em(visit.patient_status, visit.total_minutes, visit.mdm, payer_id)
        if found is None:
            result.review_reasons.append(reason("em-no-basis", "new-patient visit without total time or MDM"))
            return
        lines = found
    telehealth = visit.visit_type == "telehealth"
    for line in lines:
        modifiers = []
        if em.is_office_em(line.code):
            if visit.visit_type == "preventive":
                modifiers.append("25")
            if telehealth:
                modifiers.append("95")
        result.service_lines.append(CodedServiceLine(procedure_code=line.code, modifiers=modifiers, units=line.units,
                                                     diagnosis_pointers=[1], source="em-rules",
                                                     evidence=[line.evidence]))  # fmt: skip


def _laterality(text: str) -> tuple[str, str | None]:
    """The procedure text without its side, and the modifier the side calls for."""
    words = normalise_text(text)
    for word, modifier in LATERALITY:
        if re.search(rf"\b{word}\b", words):
            return re.sub(r"\s+", " ", re.sub(rf"\b{word}( side)?\b", " ", words)).strip(), modifier
    return words, None


def code_procedures(visit: Visit, tables: ReferenceTables, result: CodingResult) -> list[str]:
    """Procedure lines; returns the documentation text of each line (for distinct-site edits)."""
    notes = []
    for position, proc in enumerate(visit.procedures, start=1):
        modifiers = list(proc.modifiers)
        if proc.code:
            code, source, evidence = proc.code, "supplied", proc.code
        else:
            phrase, side = _laterality(proc.text or "")
            phrase = DISTINCT_SITE.sub(" ", phrase).strip()
            code = tables.procedure_phrases.get(phrase, "") or tables.procedure_phrases.get(
                normalise_text(proc.text or ""), ""
            )
            source, evidence = "text", normalise_text(proc.text or "")
            if not code:
                result.review_reasons.append(
                    reason("proc-text-unmatched", f"procedure {position}: no code for the text given")
                )
                continue
            if side and side not in modifiers:
                if len(modifiers) >= 4:
                    result.review_reasons.append(reason("modifiers", f"procedure {position}: no room for {side}"))
                    continue
                modifiers.append(side)
        if code not in tables.catalog:
            result.review_reasons.append(
                reason("proc-unknown", f"procedure {position}: {code} is not in the procedure catalog")
            )
            continue
        units = proc.units if proc.units != 1 else tables.catalog[code].default_units
        result.service_lines.append(
            CodedServiceLine(
                procedure_code=code,
                modifiers=modifiers,
                units=units,
                diagnosis_pointers=[1],
                source=source,
                evidence=[evidence],
            )
        )
        notes.append(normalise_text(proc.text or ""))
    return notes


def apply_edits(tables: ReferenceTables, result: CodingResult, notes: list[str]) -> None:
    """Modifier 25 on the E/M when a minor procedure is billed the same day; NCCI-style pairs:
    never together → review; together only when distinct → 59/XS where a distinct site is documented."""
    procedures = [ln for ln in result.service_lines if ln.source != "em-rules"]
    if any(tables.catalog[ln.procedure_code].minor_procedure for ln in procedures):
        for line in result.service_lines:
            if em.is_office_em(line.procedure_code) and "25" not in line.modifiers:
                line.modifiers.insert(0, "25")
                line.evidence.append("same-day minor procedure: separately identifiable E/M (25)")
    codes = {ln.procedure_code for ln in result.service_lines}
    for pair in tables.edit_pairs:
        if pair.column1 not in codes or pair.column2 not in codes:
            continue
        if pair.modifier_indicator == 0:
            result.review_reasons.append(reason("edit-pair", f"{pair.column2} is not billed with {pair.column1}"))
            continue
        for index, line in enumerate(procedures):
            if line.procedure_code != pair.column2 or {"59", "XS", "XE", "XP", "XU"} & set(line.modifiers):
                continue
            if index < len(notes) and DISTINCT_SITE.search(notes[index]) and len(line.modifiers) < 4:
                line.modifiers.append("XS")
                line.evidence.append("distinct site documented (XS)")
            else:
                result.review_reasons.append(reason(
                    "edit-pair-modifier", f"{pair.column2} with {pair.column1} needs a distinct-service modifier; "
                    "the documentation does not say the sites differ"))  # fmt: skip
    for line in result.service_lines:
        if len(line.modifiers) > 4:
            result.review_reasons.append(reason("modifiers", f"{line.procedure_code} has more than four modifiers"))
            del line.modifiers[4:]  # the encounter goes to a person; the draft stays within the contract


def assign_pointers(tables: ReferenceTables, result: CodingResult) -> None:
    """Each line points at up to four claim diagnoses that justify it, the most relevant first;
    a procedure whose catalog entry names supporting diagnoses and finds none goes to review."""
    codes = [d.code for d in result.diagnoses]
    everything = list(range(1, min(len(codes), MAX_POINTERS) + 1)) or [1]
    for line in result.service_lines:
        entry = tables.catalog.get(line.procedure_code)
        if entry is None or not entry.supports or line.source == "em-rules":
            line.diagnosis_pointers = everything
            continue
        supporting = [n for n, code in enumerate(codes, start=1) if code.startswith(entry.supports)]
        if not supporting:
            result.review_reasons.append(reason(
                "line-unsupported", f"no diagnosis supports {line.procedure_code} ({entry.label})"))  # fmt: skip
            line.diagnosis_pointers = everything
            continue
        others = [n for n in range(1, len(codes) + 1) if n not in supporting]
        line.diagnosis_pointers = (supporting + others)[:MAX_POINTERS]


def code_visit(visit: Visit, tables: ReferenceTables) -> CodingResult:
    result = CodingResult(place_of_service=place_of_service(visit))
    code_diagnoses(visit, tables, result)
    code_em(visit, result)
    notes = code_procedures(visit, tables, result)
    apply_edits(tables, result, notes)
    assign_pointers(tables, result)
    return result
