"""Code one visit: diagnoses (ICD-10-CM) sequenced and checked, E/M and procedure lines with
modifiers, NCCI-style edits, and diagnosis pointers by relevance.

Anything the rules cannot settle becomes a review reason; an encounter with any reason is not
coded by the engine but handed to a person (the `coding-review` topic)."""

from __future__ import annotations

from coder.domain.codesets import apply_icd_release, mark_code_sets
from coder.domain.diagnoses import code_diagnoses
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.procedures import code_services, place_of_service
from shared.schemas import Visit


def code_visit(visit: Visit, tables: ReferenceTables) -> CodingResult:
    result = CodingResult(place_of_service=place_of_service(visit, tables))
    mark_code_sets(visit.service_date, tables, result)  # which dated code sets apply; stale when past the newest
    code_diagnoses(visit, tables, result)
    apply_icd_release(visit.service_date, tables, result)  # an earlier fiscal year: its codes (codesets.py)
    code_services(visit, tables, result)  # E/M, procedures, modifiers, edits, pointers (procedures.py)
    return result
