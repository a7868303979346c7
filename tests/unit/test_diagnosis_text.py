"""Documented text -> ICD-10-CM: official titles, with/without, unspecified/other, laterality,
acute/chronic, stages and types, abbreviations; words the index cannot place cost confidence."""

import pytest

from coder.domain.clinical_text import expand_abbreviations
from tests.unit.diagnosis_helpers import TABLES, code, dx, reasons

INDEX = TABLES.diagnosis_index


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Low back pain, unspecified", "M54.50"),
        ("LOW BACK PAIN, UNSPECIFIED", "M54.50"),
        ("unspecified low back pain", "M54.50"),
        ("Hyperlipidemia, unspecified", "E78.5"),
        ("Encounter for general adult medical examination without abnormal findings", "Z00.00"),
        ("Encounter for general adult medical examination with abnormal findings", "Z00.01"),
        ("Type 2 diabetes mellitus without complications", "E11.9"),
        ("Type 2 diabetes mellitus with hyperglycemia", "E11.65"),
        ("Essential (primary) hypertension", "I10"),
        ("essential hypertension", "I10"),
        ("Acute sinusitis, unspecified", "J01.90"),
        ("Pain in right knee", "M25.561"),
        ("Pain in left knee", "M25.562"),
        ("Unilateral primary osteoarthritis, left knee", "M17.12"),
        ("Bilateral primary osteoarthritis of knee", "M17.0"),
        ("Chronic obstructive pulmonary disease with (acute) exacerbation", "J44.1"),
        ("Moderate persistent asthma, uncomplicated", "J45.40"),
        ("Chronic kidney disease, stage 3a", "N18.31"),
        ("Major depressive disorder, recurrent, moderate", "F33.1"),
    ],
)
def test_an_official_title_maps_to_its_code_with_full_confidence(text: str, expected: str) -> None:
    [coded] = code(text).diagnoses
    assert (coded.code, coded.confidence) == (expected, 1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COPD with asthma", ["J44.89", "J45.909"]),
        ("HLD", ["E78.5"]),
        ("GAD", ["F41.1"]),
        ("LBP", ["M54.50"]),
        ("CKD 4", ["N18.4"]),
        ("ckd stage IIIb", ["N18.32"]),
        ("HFpEF", ["I50.30"]),
        ("HFrEF", ["I50.20"]),
        ("COPD exac", ["J44.1"]),
        ("afib on anticoag", ["I48.91", "Z79.01"]),
        ("mild persistent asthma", ["J45.30"]),
        ("severe persistent asthma with exacerbation", ["J45.51"]),
        ("MDD recurrent moderate", ["F33.1"]),
        ("OA of right knee", ["M17.11"]),
        ("R knee pain", ["M25.561"]),
        ("LT hip pain", ["M25.552"]),
        ("obesity with BMI 36", ["E66.9", "Z68.36"]),
        ("morbid obesity BMI 42", ["E66.01", "Z68.41"]),
        ("T2DM on insulin", ["E11.9", "Z79.4"]),
        ("HTN, HLD, GERD", ["I10", "E78.5", "K21.9"]),
        ("acute sinusitis", ["J01.90"]),
        ("chronic sinusitis", ["J32.9"]),
    ],
)
def test_clinical_phrasings_and_abbreviations(text: str, expected: list[str]) -> None:
    assert dx(text) == expected


def test_with_and_without_decide_between_codes() -> None:
    assert dx("Type 2 diabetes mellitus without complications") != dx("Type 2 diabetes mellitus with hyperglycemia")
    assert dx("Gastro-esophageal reflux disease without esophagitis") == ["K21.9"]
    assert dx("Gastro-esophageal reflux disease with esophagitis, without bleeding") == ["K21.00"]


def test_sides_are_read_only_as_sides() -> None:
    assert expand_abbreviations("r knee pain", {}) == "right knee pain"
    assert expand_abbreviations("lt shoulder pain", {}) == "left shoulder pain"
    assert expand_abbreviations("l 5 radiculopathy", {}) == "l 5 radiculopathy"  # a vertebra, not a side
    assert expand_abbreviations("pain r", {}) == "pain r"


def test_a_word_the_index_cannot_place_lowers_confidence_and_is_named() -> None:
    plain = INDEX.lookup("acute serous otitis media right ear")
    padded = INDEX.lookup("acute serous otitis media right ear zqxv")
    assert plain.confidence > getattr(padded, "confidence", 0.0)  # type: ignore[union-attr]
    if hasattr(padded, "evidence"):
        assert "not placed: zqxv" in padded.evidence  # type: ignore[union-attr]
    else:
        assert "zqxv" in padded.reason  # type: ignore[union-attr]


def test_text_nobody_can_code_goes_to_review_with_ranked_candidates() -> None:
    result = code("otitis media acute right ear")
    [why] = result.review_reasons
    assert why.code == "dx-text-unsure" and "choose the code" in why.message and len(why.suggestions) >= 2
    assert f"best match {why.suggestions[0]} " in why.message  # ranked: the best candidate first
    assert {"H65.01", "H66.91"} <= set(why.suggestions)
    assert reasons("zqxv blorp") == ["dx-text-unsure"]
