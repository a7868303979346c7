"""Negated, uncertain, historical and status diagnoses (ICD-10-CM Official Guidelines IV.H, IV.J,
I.C.21.c.3-c.4): never coded as if they were confirmed, active conditions."""

import pytest

from coder.domain.clinical_text import read_statement
from tests.unit.diagnosis_helpers import code, dx, reasons


@pytest.mark.parametrize("text", ["no chest pain", "denies chest pain", "negative for covid", "ruled out pneumonia",
                                  "strep ruled out", "no evidence of pneumonia"])  # fmt: skip
def test_negated_conditions_are_not_coded(text: str) -> None:
    assert read_statement(text).assertion == "absent"
    assert dx(text, "hypertension") == ["I10"]


@pytest.mark.parametrize("text", ["suspected pneumonia", "probable pneumonia", "rule out pneumonia", "r/o pneumonia",
                                  "likely pneumonia", "possible pneumonia", "questionable pneumonia", "pneumonia?",
                                  "pneumonia vs bronchitis", "consistent with pneumonia"])  # fmt: skip
def test_uncertain_diagnoses_are_not_coded_as_confirmed(text: str) -> None:
    assert read_statement(text).assertion == "uncertain"
    result = code(text)
    assert "J18.9" not in [d.code for d in result.diagnoses]
    [why] = [r for r in result.review_reasons if r.code.startswith("dx")]
    assert why.code == "dx-uncertain" and "IV.H" in why.message and why.suggestions[0] == "J18.9"


def test_signs_documented_with_an_uncertain_diagnosis_are_coded_instead() -> None:
    assert dx("suspected pneumonia with cough and fever") == ["R05.9", "R50.9"]
    assert dx("possible strep (sore throat)") == ["J02.9"]
    assert dx("r/o strep", "sore throat") == ["J02.9"]  # a symptom on the list: nothing is lost


@pytest.mark.parametrize(
    ("text", "expected"),
    [("h/o breast cancer", "Z85.3"), ("history of stroke", "Z86.73"), ("hx of DVT", "Z86.718"),
     ("history of MI", "I25.2"), ("h/o colon polyps", "Z86.0100"), ("s/p CABG", "Z95.1"),
     ("s/p right knee replacement", "Z96.651"), ("status post cholecystectomy", "Z90.49"),
     ("family history of colon cancer", "Z80.0"), ("FHx diabetes", "Z83.3")],
)  # fmt: skip
def test_history_and_status_become_their_z_codes_not_the_active_condition(text: str, expected: str) -> None:
    assert dx(text) == [expected]


def test_a_history_with_no_z_code_goes_to_a_person() -> None:
    result = code("history of zqxv")
    assert [r.code for r in result.review_reasons] == ["dx-history-unplaced"]
    assert "personal-history" in result.review_reasons[0].message


def test_titles_with_without_or_no_are_not_negations() -> None:
    assert read_statement("Type 2 diabetes mellitus without complications").assertion == "present"
    assert reasons("Type 2 diabetes mellitus without complications") == []


def test_a_sign_the_index_cannot_place_is_not_dropped() -> None:
    result = code("possible pneumonia with cough and zqxv")
    assert [d.code for d in result.diagnoses] == ["R05.9"]
    assert [r.code for r in result.review_reasons] == ["dx-text-unsure"]
