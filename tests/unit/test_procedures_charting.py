"""Procedure text as charted, the classes found missing by corpus v8 (issue 11; tests/unit/data/coding_corpus_v8.csv,
docs/coding-procedures.md): lab panels and their tests, vaccines by brand and by age, counselling written once,
unnamed products, Medicare Part D vaccines, units by descriptor and dose, 25 beside 94640, sides and radiographs.
Inputs differ from the corpus's: the rule is tested, not the example."""

from typing import Any

import pytest

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit
from tests.unit.test_procedures_wording import lines, reasons

TABLES = load_tables()
MEDICARE = {"payer_id": "MEDICARE", "member_id": "1EG4TE5MK73", "relationship": "self", "effective_date": "2015-01-01"}


def coded(procedures: list[str], diagnoses: list[str], **kw: Any) -> CodingResult:
    """Procedures are documented text; diagnoses are supplied codes."""
    kw.setdefault("total_minutes", None)
    kw.setdefault("mdm", None)
    visit = make_visit(procedures=[{"text": p} for p in procedures], diagnoses=[{"code": c} for c in diagnoses], **kw)
    return code_visit(visit, TABLES)


def patient(born: str) -> dict[str, Any]:
    return {**make_visit().patient.model_dump(mode="json"), "birth_date": born}


@pytest.mark.parametrize(
    ("procedures", "expected"),
    [
        (["lipid panel w/ trigs and HDL", "blood draw"], ["36415", "80061"]),  # tests inside their panel
        (["CBC", "platelets", "WBC"], ["85025"]),
        (["BMP", "sodium", "chloride"], ["80048"]),
        (["total cholesterol", "HDL", "triglycerides"], ["80061"]),  # every required test: the panel
        (["glucose", "BUN", "creat", "Na", "K", "Cl", "CO2", "calcium"], ["80048"]),
        (["potassium", "creatinine"], ["82565", "84132"]),  # tests alone: each its own code
        (["HDL", "LDL"], ["83718", "83721"]),
    ],
)
def test_tests_and_their_panels(procedures: list[str], expected: list[str]) -> None:
    result = coded(procedures, ["E78.5"])
    assert lines(result) == expected, result.review_reasons


def test_counselling_written_once_covers_every_vaccine_of_the_visit() -> None:
    result = coded(["Pentacel IM", "Prevnar 20 IM", "Dr discussed risks and benefits, counseled parent"], [],
                   patient=patient("2026-05-01"), visit_type="nurse")  # fmt: skip
    assert lines(result) == ["90460x2", "90461x4", "90677", "90698"]


def test_counselling_by_staff_is_not_the_physician_counselling_codes() -> None:
    result = coded(["Vaxelis IM, RN counseled mom"], [], patient=patient("2026-05-01"), visit_type="nurse")
    assert lines(result) == ["90471", "90697"]


@pytest.mark.parametrize(
    ("text", "candidates"),
    [("DTaP combination vaccine IM", "90723"), ("pneumococcal vaccine IM", "90677"), ("tetanus booster", "90715"),
     ("hep B vaccine #2", "90746"), ("meningococcal vaccine IM", "90734")],
)  # fmt: skip
def test_a_vaccine_without_its_product_goes_to_a_person_with_the_candidates(text: str, candidates: str) -> None:
    result = coded([text], [], visit_type="nurse")
    found = next(r for r in result.review_reasons if r.code == "vaccine-product-unnamed")
    assert found.suggestions[0] == candidates and len(found.suggestions) > 1


@pytest.mark.parametrize(("born", "expected"), [("2019-01-01", "90633"), ("1990-01-01", "90632")])
def test_hepatitis_a_formulation_by_age(born: str, expected: str) -> None:
    assert expected in lines(coded(["Vaqta IM"], [], patient=patient(born), visit_type="nurse"))


def test_engerix_b_for_a_teenager_is_the_pediatric_formulation() -> None:
    assert "90744" in lines(coded(["Engerix-B IM"], [], patient=patient("2010-01-01"), visit_type="nurse"))


def test_medicare_part_d_vaccines_go_to_a_person_unless_tetanus_for_an_injury() -> None:
    kw: dict[str, Any] = {"coverage": MEDICARE, "patient": patient("1950-01-01"), "visit_type": "nurse"}
    assert "payer-part-d-vaccine" in reasons(coded(["Abrysvo IM"], [], **kw))
    assert "payer-part-d-vaccine" in reasons(coded(["Td (Tenivac) IM"], [], **kw))
    injury = coded(["Tenivac IM"], ["S81.812A"], **kw)
    assert not injury.review_reasons and lines(injury) == ["90471", "90714"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bicillin L-A 1,200,000 units IM", ["96372", "J0561x12"]),
        ("Depo-Medrol 40 mg/mL x 2 mL IM", ["96372", "J1030x2"]),
        ("ondansetron 8 mg IM", ["96372", "J2405x8"]),
        ("Solumedrol 80 mg IM", ["96372", "J2930"]),
        ("debridement 2 fingernails and 5 toenails", ["11721"]),
        ("debridement of 3 toenails", ["11720"]),
    ],
)
def test_units_by_the_descriptor_and_the_dose(text: str, expected: list[str]) -> None:
    result = coded([text], ["L30.9" if "nail" not in text else "B35.1"])
    assert lines(result) == expected, result.review_reasons


def test_an_em_beside_an_inhalation_treatment_takes_25() -> None:
    result = coded(["neb treatment"], ["J45.901"], total_minutes=30)
    assert lines(result) == ["94640", "99214-25"], result.review_reasons


def test_a_preventive_visit_documented_only_as_immunization_goes_to_a_person() -> None:
    result = coded(["Boostrix IM"], ["Z23"], visit_type="preventive")
    assert "preventive-immunization-only" in reasons(result)
    exam = coded(["Boostrix IM"], [], visit_type="preventive")  # no reason written: the preventive exam is coded
    assert not exam.review_reasons and "99396" in lines(exam)


def test_the_bronchodilator_of_a_pre_post_study_is_part_of_it() -> None:
    result = coded(["spirometry", "PFT pre and post BD", "albuterol nebulizer treatment"], ["J45.30"])
    assert lines(result) == ["94060"], result.review_reasons


@pytest.mark.parametrize(
    ("procedures", "diagnoses", "reason"),
    [
        (["shoulder injection, kenalog 40 mg"], ["M75.100"], "side-missing"),
        (["ear irrigation"], ["H61.20"], "side-missing"),
        (["L knee inj, kenalog 40 mg"], ["M17.11"], "side-conflict"),
        (["knee x-ray"], ["M25.561"], "imaging-views"),
    ],
)
def test_sides_and_views_a_person_must_read(procedures: list[str], diagnoses: list[str], reason: str) -> None:
    assert reason in reasons(coded(procedures, diagnoses))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bilat shoulder inj, kenalog 40 mg each", ["20610-50", "J3301x8"]),
        ("x-ray L foot 3v", ["73630-LT"]),
        ("R wrist xray AP and lateral", ["73100-RT"]),
        ("CXR 2 views", ["71046"]),
    ],
)
def test_sides_and_views_read_from_the_text(text: str, expected: list[str]) -> None:
    result = coded([text], ["M25.50"] if "x" not in text.lower() else ["R05.9"])
    assert lines(result) == expected, result.review_reasons


def test_a_count_above_the_mue_by_its_adjudication_indicator() -> None:
    clinical = coded(["EKG 12 lead x2"], ["R00.2"])  # 93000: MAI 3, a repeat tracing may be a separate service
    assert "mue-written-count" in reasons(clinical)
    policy = coded(["venipuncture x3", "CBC"], ["D64.9"])  # 36415: MAI 2, once a day whatever the draws
    assert not policy.review_reasons and lines(policy) == ["36415", "85025"]
