"""Diagnosis pointers: each line points at up to four claim diagnoses that justify it, the most relevant first."""

from __future__ import annotations

from coder.domain import em, visit_em
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.modifiers import PREVENTIVE_KINDS
from shared.schemas import ReviewReason

MAX_POINTERS = 4


def assign_pointers(tables: ReferenceTables, result: CodingResult) -> None:
    """A procedure whose catalog entry names supporting diagnoses and finds none goes to review.
    A problem E/M beside a preventive service points at the problems, not the exam."""
    codes = [d.code for d in result.diagnoses]
    everything = list(range(1, min(len(codes), MAX_POINTERS) + 1)) or [1]
    preventive_day = any(tables.catalog[ln.procedure_code].kind in PREVENTIVE_KINDS for ln in result.service_lines)
    # only a preventive day points a problem E/M at its problems: not worked out for the other visits
    problem_pointers = (
        [n for n, code in enumerate(codes, start=1) if visit_em.problems([code])][:MAX_POINTERS]
        if preventive_day
        else []
    )
    # a diagnosis a person must settle first: whether a line is supported is theirs to see then
    diagnoses_open = any(r.code.startswith(("dx-", "icd-")) for r in result.review_reasons)
    for line in result.service_lines:
        entry = tables.catalog.get(line.procedure_code)
        if preventive_day and em.is_office_em(line.procedure_code) and problem_pointers:
            line.diagnosis_pointers = problem_pointers
            continue
        if entry is None or not entry.supports or line.source == "em-rules":
            line.diagnosis_pointers = everything
            continue
        supporting = [n for n, code in enumerate(codes, start=1) if code.startswith(entry.supports)]
        if not supporting:
            if diagnoses_open:
                line.diagnosis_pointers = everything
                continue
            result.review_reasons.append(ReviewReason(code="line-unsupported", suggestions=[],
                message=f"no diagnosis supports {line.procedure_code} ({entry.label})"))  # fmt: skip
            line.diagnosis_pointers = everything
            continue
        others = [n for n in range(1, len(codes) + 1) if n not in supporting]
        line.diagnosis_pointers = (supporting + others)[:MAX_POINTERS]
