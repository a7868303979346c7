"""How a documented list is read: parts, qualifiers, ambiguous abbreviations, BMI, the preventive
exam code by age and findings, and the I.C.9.a presumption waived by the provider."""

import pytest

from tests.unit.diagnosis_helpers import code, dx, reasons


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("CAD s/p CABG",), ["I25.10", "Z95.1"]),
        (("afib on DOAC",), ["I48.91", "Z79.01"]),
        (("ESRD on HD",), ["N18.6", "Z99.2"]),
        (("T2DM on semaglutide weekly injection",), ["E11.9", "Z79.85"]),
        (("hyperlipidemia, stable on statin",), ["E78.5"]),
        (("pneumonia, confirmed on chest x-ray",), ["J18.9"]),
        (("blood pressure check, known htn",), ["I10"]),
        (("new onset atrial fibrillation",), ["I48.91"]),
        (("UTI due to E. coli",), ["N39.0", "B96.20"]),
        (("tennis elbow, right",), ["M77.11"]),
        (("sore throat, rapid strep negative",), ["J02.9"]),
        (("lesion of skin of left upper back",), ["L98.9"]),
        (("h/o colon cancer, completed treatment 2019, no recurrence",), ["Z85.038"]),
        (("htn", "h/o DVT, resolved"), ["I10", "Z86.718"]),
    ],
)
def test_a_list_in_one_entry_is_read_part_by_part(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


def test_a_negation_before_a_list_covers_all_of_it() -> None:
    assert dx("no fever, chills or cough", "hypertension") == ["I10"]


@pytest.mark.parametrize("text", ["MS", "PE", "cp", "t2dm, uncontrolled"])
def test_an_ambiguous_abbreviation_goes_to_a_person_with_its_meanings(text: str) -> None:
    [why] = code(text).review_reasons
    assert why.code == "dx-ambiguous-abbreviation" and len(why.suggestions) >= 2 and "provider" in why.message


def test_bmi_only_beside_a_weight_diagnosis() -> None:
    assert dx("obesity", "BMI 33") == ["E66.9", "Z68.33"]
    assert dx("morbid obesity", "bmi 42") == ["E66.01", "Z68.41"]
    assert dx("bmi 31", "htn") == ["I10"]


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [("2026-11-17", "Z00.110"), ("2026-11-01", "Z00.111"), ("2019-05-01", "Z00.129"), ("1971-03-09", "Z00.00")],
)
def test_the_preventive_exam_code_follows_age_on_the_service_date(birth_date: str, expected: str) -> None:
    patient = {"id": "P-UNIT-1", "first_name": "Testa", "last_name": "Example", "birth_date": birth_date, "sex": "F"}
    assert dx(visit_type="preventive", patient=patient) == [expected]


@pytest.mark.parametrize(
    ("entry", "birth_date", "expected"),
    [
        ("annual physical exam", "1971-03-09", ["Z00.00"]),
        ("physical exam, adult", "1971-03-09", ["Z00.00"]),
        ("4 yr well child check", "2022-05-01", ["Z00.129"]),
        ("well adolescent visit", "2012-05-01", ["Z00.129"]),
        ("newborn weight check / routine newborn exam", "2026-11-01", ["Z00.111"]),
        ("AWV subsequent", "1950-03-09", ["Z00.00"]),
        ("welcome to medicare exam", "1961-03-09", ["Z00.00"]),
        ("annual physical, htn", "1971-03-09", ["Z00.00", "I10"]),  # a condition in the entry is still coded
    ],
)
def test_an_entry_naming_the_preventive_encounter_is_the_exam_code_for_the_age(
    entry: str, birth_date: str, expected: list[str]
) -> None:
    patient = {"id": "P-UNIT-1", "first_name": "Testa", "last_name": "Example", "birth_date": birth_date, "sex": "F"}
    result = code(entry, visit_type="preventive", patient=patient)
    assert [d.code for d in result.diagnoses] == expected
    assert not [r.code for r in result.review_reasons if r.code.startswith(("dx", "icd"))]


def test_a_documented_abnormal_finding_makes_the_exam_with_abnormal_findings() -> None:
    found = dx(
        "abnormal finding: elevated blood pressure reading, no diagnosis of hypertension", visit_type="preventive"
    )
    assert found == ["Z00.01", "R03.0"]


def test_a_supplied_exam_code_for_another_age_goes_to_a_person() -> None:
    [why] = code("code:Z00.129", visit_type="preventive").review_reasons
    assert why.code == "dx-age-conflict" and why.suggestions[0] == "Z00.00"


def test_the_provider_can_say_heart_failure_is_not_hypertensive() -> None:
    assert dx("htn", "heart failure, not due to hypertension per cardiology") == ["I10", "I50.9"]
    assert dx("htn", "heart failure") == ["I11.0", "I50.9"]


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (("low back pain", "sciatica, right side"), ["M54.41"]),
        (("cad", "angina"), ["I25.119"]),
        (("anemia", "iron deficiency anemia"), ["D50.9"]),
        (("uri", "strep throat"), ["J02.0"]),
        (("hypertension", "elevated blood pressure reading"), ["I10"]),
        (("Alzheimer's disease", "dementia"), ["G30.9", "F02.80"]),
    ],
)
def test_pairs_the_index_joins_or_ranks(entries: tuple[str, ...], expected: list[str]) -> None:
    assert dx(*entries) == expected and reasons(*entries) == []


@pytest.mark.parametrize("entries", [("prediabetes", "type 2 diabetes"), ("former smoker", "current smoker")])
def test_contradictory_documentation_goes_to_a_person(entries: tuple[str, ...]) -> None:
    assert "dx-contradictory" in reasons(*entries)


def test_one_ckd_stage_on_the_claim() -> None:
    # I.C.14.a.1: a stage and ESRD both documented -> N18.6 only (with the hypertensive combination)
    codes = dx("essential hypertension", "chronic kidney disease, stage 4 (severe)", "end stage renal disease")
    assert "N18.6" in codes and "N18.4" not in codes and "I12.0" in codes
    # "ckd" said in passing beside a documented stage: the stage, not N18.9
    codes = dx("chronic kidney disease, stage 5", "anemia in chronic kidney disease")
    assert "N18.5" in codes and "N18.9" not in codes and "D63.1" in codes
    assert "dx-contradictory" not in reasons("chronic kidney disease, stage 5", "anemia in chronic kidney disease")


def test_two_documented_ckd_stages_go_to_a_person_naming_both() -> None:
    result = code("chronic kidney disease, stage 2 (mild)", "chronic kidney disease, stage 4 (severe)")
    contradiction = [r for r in result.review_reasons if r.code == "dx-contradictory"]
    assert contradiction and set(contradiction[0].suggestions) == {"N18.2", "N18.4"}


def test_substance_use_abuse_and_dependence_keep_the_highest() -> None:
    # I.C.5.b.1: abuse and dependence both documented -> dependence only; tobacco use beside nicotine dependence
    codes = dx("code:F10.10", "code:F10.20")
    assert codes == ["F10.20"]
    codes = dx("code:Z72.0", "code:F17.210")
    assert codes == ["F17.210"]
    assert "icd-excludes1" not in reasons("code:Z72.0", "code:F17.210")
