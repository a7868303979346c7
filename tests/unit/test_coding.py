from coder.adapters.reference import load_tables
from coder.domain import icd10
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit

TABLES = load_tables()


def test_design_notes_visit_is_coded() -> None:
    result = code_visit(make_visit(), TABLES)
    assert not result.needs_review
    assert [d.code for d in result.diagnoses] == ["I10", "E11.9"]
    assert result.diagnoses[0].source == "text" and result.diagnoses[0].evidence == ["high blood pressure"]
    assert [ln.procedure_code for ln in result.service_lines] == ["99214", "36415", "93000"]
    assert all(ln.diagnosis_pointers == [1, 2] for ln in result.service_lines)
    assert result.place_of_service == "11"


def test_codes_are_normalised_with_or_without_dot() -> None:
    assert icd10.normalise("e119") == "E11.9"
    assert icd10.normalise(" E11.9 ") == "E11.9"
    assert icd10.normalise("i10") == "I10"
    result = code_visit(make_visit(diagnoses=[{"code": "e119"}, {"code": "E11.9"}]), TABLES)
    assert [d.code for d in result.diagnoses] == ["E11.9"]  # the duplicate is listed once


def test_category_code_goes_to_review_with_billable_children() -> None:
    result = code_visit(make_visit(diagnoses=[{"code": "M54.5"}]), TABLES)
    assert result.needs_review
    reason = result.review_reasons[0]
    assert reason.code == "icd-not-billable"
    assert "M54.50" in reason.suggestions


def test_unknown_code_and_unmatched_text_go_to_review() -> None:
    result = code_visit(
        make_visit(diagnoses=[{"code": "Q99.99"}, {"text": "feels vaguely unwell on tuesdays"}]), TABLES
    )
    assert {"icd-unknown", "dx-text-unsure"} <= {r.code for r in result.review_reasons}


def test_no_diagnosis_goes_to_review() -> None:
    result = code_visit(make_visit(diagnoses=[], procedures=[]), TABLES)
    assert [r.code for r in result.review_reasons] == ["dx-missing"]


def test_telehealth_takes_modifier_95_and_home_place_of_service() -> None:
    result = code_visit(make_visit(visit_type="telehealth", procedures=[]), TABLES)
    assert result.place_of_service == "10"
    assert result.service_lines[0].modifiers == ["95"]


def test_preventive_visit_by_age() -> None:
    result = code_visit(make_visit(visit_type="preventive", procedures=[]), TABLES)
    assert result.service_lines[0].procedure_code == "99396"  # 55 years old, established


def test_pointers_stop_at_four() -> None:
    codes = ["I10", "E11.9", "E78.5", "K21.9", "J30.9", "E55.9"]
    result = code_visit(make_visit(diagnoses=[{"code": c} for c in codes]), TABLES)
    assert all(ln.diagnosis_pointers == [1, 2, 3, 4] for ln in result.service_lines)
    assert len(result.diagnoses) == 6


def test_same_visit_same_result() -> None:
    a = code_visit(make_visit(), TABLES)
    b = code_visit(make_visit(), TABLES)
    assert [d.model_dump_json() for d in a.diagnoses] == [d.model_dump_json() for d in b.diagnoses]
    assert [ln.model_dump_json() for ln in a.service_lines] == [ln.model_dump_json() for ln in b.service_lines]
