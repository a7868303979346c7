"""Sixty documented encounters, coded by hand (tests/unit/data/coding_cases.csv): the engine
must give each the same diagnoses, in the same order, and the same lines with their modifiers."""

import csv
from pathlib import Path

import pytest

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit

CASES = Path(__file__).parent / "data" / "coding_cases.csv"
TABLES = load_tables()


def cases() -> list[dict[str, str]]:
    with CASES.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def documented(items: str, kind: str) -> list[dict]:
    out = []
    for item in filter(None, items.split("|")):
        out.append({"code": item[5:]} if item.startswith("code:") else {"text": item})
    return out


def rendered(result) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    lines = ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
             for ln in result.service_lines]  # fmt: skip
    return [d.code for d in result.diagnoses], lines


def test_there_are_at_least_sixty_cases() -> None:
    assert len(cases()) >= 60


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"case{c['id']}")
def test_case(case: dict[str, str]) -> None:
    patient = {**make_visit().patient.model_dump(mode="json"), "birth_date": case["birth_date"]}
    visit = make_visit(
        visit_id=f"V-CASE-{case['id']}",
        patient=patient,
        coverage={"payer_id": case["payer"], "member_id": "ZZT000111", "relationship": "self"},
        visit_type=case["visit_type"],
        patient_status=case["status"],
        total_minutes=int(case["minutes"]) if case["minutes"] else None,
        mdm=case["mdm"] or None,
        diagnoses=documented(case["diagnoses"], "dx"),
        procedures=documented(case["procedures"], "proc"),
    )
    result = code_visit(visit, TABLES)
    assert not result.needs_review, [r.message for r in result.review_reasons]
    assert rendered(result) == (case["expected_dx"].split(), case["expected_lines"].split())
