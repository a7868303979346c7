"""Reasoning across the diagnosis list (ICD-10-CM Official Guidelines I.C.9.a, I.A.15, I.B.5,
I.C.4, tabular notes), and the review reasons a person gets when the rules cannot decide."""

import pytest

from tests.unit.diagnosis_helpers import code, dx, reasons


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("HTN", "CKD 3b"), ["I12.9", "N18.32"]),
        (("HTN", "ESRD"), ["I12.0", "N18.6"]),
        (("hypertension", "CHF"), ["I11.0", "I50.9"]),
        (("htn", "HFrEF"), ["I11.0", "I50.20"]),
        (("HTN", "CHF", "CKD 4"), ["I13.0", "I50.9", "N18.4"]),
        (("HTN", "HFpEF", "CKD 5"), ["I13.2", "I50.30", "N18.5"]),
        (("CKD 4", "HTN"), ["I12.9", "N18.4"]),
        (("code:I10", "code:I12.9", "code:N18.30"), ["I12.9", "N18.30"]),  # I10 never beside I12
        (("code:I10", "code:N18.4"), ["I12.9", "N18.4"]),
    ],
)
def test_hypertension_with_ckd_or_heart_failure_is_a_combination(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("T2DM", "CKD 3a"), ["E11.22", "N18.31"]),
        (("Diabetes with CKD stage 3a",), ["E11.22", "N18.31"]),
        (("T2DM", "peripheral neuropathy"), ["E11.42"]),
        (("T2DM", "hyperglycemia"), ["E11.65"]),
        (("T2DM", "peripheral neuropathy", "hyperglycemia", "on insulin"), ["E11.42", "E11.65", "Z79.4"]),
        (("T2DM on metformin",), ["E11.9", "Z79.84"]),
        (("code:E11.9", "code:N18.4"), ["E11.22", "N18.4"]),
        (("T2DM", "HTN", "CKD 3b"), ["E11.22", "I12.9", "N18.32"]),
        (("T1DM", "on insulin"), ["E10.9"]),  # insulin is implied in type 1 (I.C.4.a.3)
        (("T2DM", "T2DM with hyperglycemia"), ["E11.65"]),  # E11.9 never beside another E11 code
    ],
)
def test_diabetes_with_its_complications(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("GERD", "heartburn"), ["K21.9"]),
        (("UTI", "dysuria", "urinary frequency"), ["N39.0"]),
        (("strep throat", "sore throat"), ["J02.0"]),
        (("migraine", "headache"), ["G43.909"]),
        (("fatigue", "anemia"), ["R53.83", "D64.9"]),  # not routinely part of anemia: both stay
    ],
)
def test_integral_signs_and_symptoms_are_dropped(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected


def test_copd_with_asthma_keeps_the_copd() -> None:
    """FY2026 Index: COPD with asthma is J44.89, and J44's "code also" adds the asthma type."""
    assert dx("COPD with asthma") == ["J44.89", "J45.909"]
    assert dx("COPD", "asthma") == ["J44.89", "J45.909"]
    assert dx("COPD", "emphysema") == ["J43.9"]
    assert dx("COPD exacerbation", "asthma exacerbation") == ["J44.1", "J45.901"]


def test_contradictory_pairs_are_never_auto_coded() -> None:
    both = code("code:Z00.00", "code:Z00.01")
    [why] = [r for r in both.review_reasons if r.code == "dx-contradictory"]
    assert set(why.suggestions) == {"Z00.00", "Z00.01"} and "decides" in why.message
    assert "dx-contradictory" in reasons("code:E11.9", "code:E11.65")
    assert "dx-contradictory" in reasons("code:E10.9", "code:E11.9")


def test_use_additional_code_is_completed_or_asked_for() -> None:
    assert dx("Hypertensive heart disease with heart failure") == ["I11.0", "I50.9"]  # type not documented
    supplied = code("code:E11.22")
    [why] = supplied.review_reasons
    assert why.code == "dx-needs-additional" and why.suggestions[0] == "N18.9" and "N18" in why.message


def test_code_first_puts_the_etiology_before_the_manifestation() -> None:
    assert dx("code:F02.80", "code:G30.9") == ["G30.9", "F02.80"]


def test_excludes1_pairs_go_to_a_person_with_both_codes() -> None:
    result = code("code:M54.50", "code:M54.41")
    [why] = result.review_reasons
    assert why.code == "icd-excludes1" and why.suggestions == ["M54.50", "M54.41"] and "keep one" in why.message


def test_anemia_in_ckd_brings_its_ckd_and_the_hypertensive_combination() -> None:
    assert dx("htn", "anemia in CKD") == ["I12.9", "N18.9", "D63.1"]
    assert dx("anemia in CKD", "CKD 4") == ["N18.4", "D63.1"]  # code first the CKD (tabular note at D63.1)
