"""Classes of physician wording on the diagnosis side (issue 11, corpus v7), each from the guideline that
decides it, in wording other than the corpus's: screening encounters (I.C.21.c.5), measures (I.C.21.c.3, R03.0),
essential modifiers of a combination (Index subterms), a side written once, injury mechanism (I.C.20), ambiguous
abbreviations."""

import pytest

from coder.domain.measures import percentile_code, wrong_age
from coder.domain.screening import screening_target
from tests.unit.diagnosis_helpers import code, dx, reasons


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("Screening for chlamydia", "Z11.3"),
        ("yearly HIV screen", "Z11.4"),
        ("HCV screening", "Z11.59"),
        ("screening mammogram", "Z12.31"),
        ("routine screening labs: cholesterol", "Z13.220"),
        ("screen for AAA", "Z13.6"),
        ("prostate ca screening", "Z12.5"),
        ("screening for DM", "Z13.1"),
        ("bone density screening", "Z13.820"),
    ],
)
def test_a_screening_is_its_z_code_never_the_disease(entry: str, expected: str) -> None:
    assert dx(entry) == [expected] and reasons(entry) == []


def test_a_screening_during_a_problem_visit_follows_the_problem() -> None:
    assert dx("hyperlipidemia", "screening for HIV") == ["E78.5", "Z11.4"]


@pytest.mark.parametrize("entry", ["routine screening", "annual screening labs"])
def test_a_screening_without_its_target_goes_to_a_person(entry: str) -> None:
    assert dx(entry) == [] and reasons(entry) == ["dx-screening-unplaced"]


@pytest.mark.parametrize(
    ("norm", "target"),
    [("annual screen for stds", "stds"), ("colon ca screening", "colon ca"), ("screening", ""), ("hiv", None)],
)
def test_the_target_of_a_screening_is_what_is_written_with_it(norm: str, target: str | None) -> None:
    assert screening_target(norm) == target


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("bmi 3rd percentile", "Z68.51"),
        ("bmi <5th percentile", "Z68.51"),
        ("bmi 50th %ile", "Z68.52"),
        ("bmi <85th percentile", "Z68.52"),
        ("bmi 88th percentile for age", "Z68.53"),
        ("p97", "Z68.54"),
        ("bmi 35", None),
        ("l5", None),
    ],
)
def test_a_pediatric_percentile_is_its_z68_5_code(written: str, expected: str | None) -> None:
    assert percentile_code(written) == expected


def test_bmi_codes_fit_the_age() -> None:
    assert wrong_age(["Z68.53"], 12) is None and wrong_age(["Z68.53"], 25) == "Z68.53"
    assert wrong_age(["Z68.30"], 15) == "Z68.30" and wrong_age(["Z68.30"], 40) is None


def test_a_pediatric_percentile_on_an_adult_goes_to_a_person() -> None:
    result = code("obesity", "BMI 97th percentile")  # make_visit's patient is an adult
    assert "dx-age-conflict" in [r.code for r in result.review_reasons]


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("essential hypertension", "BP 142/88 today"), ["I10"]),
        (("overweight", "wt 82 kg, BMI 28.4"), ["E66.3", "Z68.28"]),
        (("GERD", "weight 150 lb"), ["K21.9"]),
        (("mixed hyperlipidemia", "BMI 33"), ["E78.2"]),  # adult BMI without a weight diagnosis (I.C.21.c.3)
    ],
)
def test_readings_make_no_diagnosis(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("coronary artery disease", "stable angina"), ["I25.118"]),  # stable: an essential modifier here
        (("HTN, stable",), ["I10"]),  # and a status word there
        (("moderate persistent asthma with status asthmaticus",), ["J45.42"]),
        (("mild persistent asthma", "status asthmaticus"), ["J45.32"]),
        (("migraine, intractable",), ["G43.919"]),
        (("chronic obstructive pulmonary disease with acute bronchitis",), ["J44.0", "J20.9"]),
    ],
)
def test_an_essential_modifier_decides_the_subcode(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("possible fracture L ankle, ankle pain", ["M25.572"]),  # IV.H: the sign takes the side written once
        ("low back pain w/ sciatica R", ["M54.41"]),
        ("tripped on stairs, R ankle sprain", ["S93.401A"]),  # I.C.20: the mechanism adds no code
        ("L 1st MTP pain", ["M25.572"]),
    ],
)
def test_a_side_or_a_mechanism_written_once(entry: str, expected: list[str]) -> None:
    assert dx(entry) == expected and reasons(entry) == []


def test_an_abbreviation_with_two_meanings_goes_to_a_person() -> None:
    assert reasons("AR") == ["dx-ambiguous-abbreviation"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("cervical radiculopathy C6-C7", ["M54.12"]),  # a level the code has no axis for is read without
        ("cervical disc disorder C5-C6 w/ radiculopathy", ["M50.122"]),  # Index: with radiculopathy, same level
    ],
)
def test_a_spinal_level_decides_only_where_the_code_has_one(entry: str, expected: list[str]) -> None:
    assert dx(entry) == expected and reasons(entry) == []


def test_a_parenthetical_synonym_restates_the_condition() -> None:
    assert dx("L medial epicondylitis (golfer's elbow)") == ["M77.02"]
    assert reasons("HTN (hyperlipidemia)") != []  # another condition in the aside: a person reads it
