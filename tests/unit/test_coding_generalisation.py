"""Generic rules behind the generalisation corpus (tests/unit/data/coding_corpus_generalisation.csv),
each tested on wording that is in neither that corpus nor the phrase tables: side and site read onto
the tabular's axes, history/status with a date or a side written last, and the over-billing guards."""

from __future__ import annotations

from typing import Any

import pytest

from coder.domain.coding import code_visit
from coder.domain.site_refine import refine
from tests.unit.diagnosis_helpers import TABLES, dx, reasons
from tests.unit.sample import make_visit


def lines(procedures: list[str], **visit: Any) -> tuple[list[str], list[str]]:
    items = [{"code": p[5:]} if p.startswith("code:") else {"text": p} for p in procedures]
    visit.setdefault("diagnoses", [{"text": "hypertension"}])
    result = code_visit(make_visit(procedures=items, **visit), TABLES)
    rendered = ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
                for ln in result.service_lines]  # fmt: skip
    return rendered, [r.code for r in result.review_reasons]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("otitis externa, both ears", "H60.93"),  # both ears: the ear codes say "bilateral" alone
        ("cellulitis, lue", "L03.114"),  # lue = left upper extremity = left upper limb
        ("rle deep vein thrombosis", "I82.401"),  # extremity and limb are one word
        ("plantar fasciitis, left foot", "M72.2"),  # no side axis in M72: the side changes nothing
        ("degenerative joint disease, rt knee", "M17.11"),  # Index default type (primary) breaks the tie
    ],
)
def test_side_and_site_written_as_physicians_do(text: str, expected: str) -> None:
    assert dx(text) == [expected]


def test_refine_keeps_the_condition_and_sends_a_true_tie_to_a_person() -> None:
    assert refine("M10.9", ["left", "toe"]) == ("M10.072", [])  # a toe is coded at "ankle and foot"
    code, tied = refine("H60.90", ["left", "knee"])  # no ear code names a knee
    assert code is None and tied == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hx of heart attack in 2015", ["I25.2"]),  # the year says when, not what
        ("s/p tka lt", ["Z96.652"]),  # a side written last
        ("h/o dvt, on warfarin", ["Z86.718", "Z79.01"]),  # the therapy after the history keeps its code
    ],
)
def test_history_and_status(text: str, expected: list[str]) -> None:
    assert dx(text) == expected


def test_symptoms_consistent_with_is_uncertain() -> None:
    assert dx("symptoms consistent with migraine", "headache") == ["R51.9"]


def test_one_ckd_stage_only() -> None:
    assert "dx-contradictory" in reasons("ckd stage 3b", "ckd stage 4")


def test_newborn_code_past_the_first_year_goes_to_a_person() -> None:
    result = code_visit(make_visit(diagnoses=[{"code": "P59.9"}], procedures=[]), TABLES)
    assert "dx-age-newborn" in [r.code for r in result.review_reasons]
    infant = code_visit(make_visit(diagnoses=[{"code": "P59.9"}], procedures=[],
                                   patient={"id": "P1", "first_name": "Testa", "last_name": "Example",
                                            "birth_date": "2026-11-01", "sex": "F"}), TABLES)  # fmt: skip
    assert "dx-age-newborn" not in [r.code for r in infant.review_reasons]


def test_nurse_vaccine_visit_never_carries_99211() -> None:
    got, why = lines(["code:99211", "Boostrix IM"], visit_type="nurse", total_minutes=None, diagnoses=[])
    assert got == ["90471", "90715"] and not why


def test_nasal_vaccine_after_an_injected_one_is_90474() -> None:
    got, _ = lines(["Tdap IM", "FluMist intranasal"], visit_type="nurse", total_minutes=None, diagnoses=[])
    assert got == ["90471", "90715", "90474", "90660"]
    alone, _ = lines(["FluMist intranasal"], visit_type="nurse", total_minutes=None, diagnoses=[])
    assert alone == ["90473", "90660"]


def test_nail_count_in_words() -> None:
    got, _ = lines(["debridement of eight toenails"], total_minutes=None, diagnoses=[{"text": "onychomycosis"}])
    assert "11721" in got and "11720" not in got


def test_telehealth_with_an_injection_goes_to_a_person() -> None:
    _, why = lines(["ceftriaxone 500 mg IM"], visit_type="telehealth", diagnoses=[{"text": "acute cystitis"}])
    assert "telehealth-in-person-service" in why


def test_drug_doses_in_units_and_new_drug_names() -> None:
    got, _ = lines(["bicillin l-a 1.2 million units IM"], visit_type="nurse", total_minutes=None,
                   diagnoses=[{"text": "syphilis"}])  # fmt: skip
    assert got == ["96372", "J0561x12"]
    got, _ = lines(["12 lead electrocardiogram w/ interp"])
    assert "93000" in got
