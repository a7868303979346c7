"""No E/M is invented (issue 11): 99211 only for a nurse visit; injection-, vaccine- and procedure-only
visits carry no E/M without their own time or MDM; preventive time never makes a problem E/M."""

from typing import Any

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit

TABLES = load_tables()


def coded(**kw: Any) -> CodingResult:
    return code_visit(make_visit(**kw), TABLES)


def lines(result: CodingResult) -> list[str]:
    return ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
            for ln in result.service_lines]  # fmt: skip


def reasons(result: CodingResult) -> list[str]:
    return [r.code for r in result.review_reasons]


def test_established_visit_without_time_or_mdm_is_not_99211_unless_a_nurse_visit() -> None:
    office = coded(total_minutes=None, mdm=None, procedures=[], diagnoses=[{"code": "I10"}])
    assert lines(office) == [] and reasons(office) == ["em-no-basis"]
    assert "99213" in office.review_reasons[0].suggestions
    nurse = coded(visit_type="nurse", total_minutes=None, mdm=None, procedures=[], diagnoses=[{"code": "I10"}])
    assert lines(nurse) == ["99211"] and not nurse.needs_review
    new_nurse = coded(visit_type="nurse", patient_status="new", total_minutes=None, mdm=None, procedures=[],
                      diagnoses=[{"code": "I10"}])  # fmt: skip
    assert reasons(new_nurse) == ["em-no-basis"]


def test_injection_only_visit_has_no_em() -> None:
    injection = [{"code": "96372"}, {"code": "J3420"}]
    office = coded(total_minutes=None, mdm=None, procedures=injection, diagnoses=[{"code": "E53.8"}])
    assert lines(office) == ["96372", "J3420"] and not office.needs_review
    nurse = coded(visit_type="nurse", total_minutes=None, mdm=None, procedures=injection, diagnoses=[{"code": "E53.8"}])
    assert lines(nurse) == ["96372", "J3420"] and not nurse.needs_review  # never 99211(-25) beside it


def test_vaccine_and_procedure_only_visits_have_no_em() -> None:
    vaccine = coded(total_minutes=None, mdm=None, procedures=[{"code": "90715"}, {"code": "90471"}],
                    diagnoses=[{"code": "Z23"}])  # fmt: skip
    assert lines(vaccine) == ["90715", "90471"] and not vaccine.needs_review
    wart = coded(total_minutes=None, mdm=None, procedures=[{"code": "17110"}], diagnoses=[{"code": "B07.9"}])
    assert lines(wart) == ["17110"] and not wart.needs_review


def test_separate_problem_with_its_own_time_gets_an_em_with_25() -> None:
    result = coded(total_minutes=20, mdm=None, procedures=[{"code": "96372"}, {"code": "J1885"}],
                   diagnoses=[{"code": "M54.50"}])  # fmt: skip
    assert lines(result) == ["99213-25", "96372", "J1885"] and not result.needs_review


def test_time_on_an_immunization_only_visit_is_the_vaccines() -> None:
    result = coded(total_minutes=12, mdm=None, procedures=[{"code": "90715"}, {"code": "90471"}],
                   diagnoses=[{"code": "Z23"}])  # fmt: skip
    assert lines(result) == ["90715", "90471"] and not result.needs_review


def test_em_whose_only_problem_is_the_minor_procedures_goes_to_a_person() -> None:
    alone = coded(total_minutes=25, mdm=None, procedures=[{"text": "left knee injection"}],
                  diagnoses=[{"code": "M17.12"}])  # fmt: skip
    assert reasons(alone) == ["em-not-separate"] and alone.review_reasons[0].suggestions == ["99213-25"]
    beside = coded(total_minutes=25, mdm=None, procedures=[{"text": "left knee injection"}],
                   diagnoses=[{"code": "M17.12"}, {"code": "I10"}])  # fmt: skip
    assert lines(beside) == ["99213-25", "20610-LT"] and not beside.needs_review


def test_preventive_time_never_becomes_a_problem_em() -> None:
    result = coded(visit_type="preventive", total_minutes=45, mdm="moderate", procedures=[],
                   diagnoses=[{"code": "Z00.00"}, {"code": "I10"}])  # fmt: skip
    assert lines(result) == ["99396"] and not result.needs_review


def test_preventive_with_a_separate_problem_and_its_own_work_gets_25() -> None:
    result = coded(visit_type="preventive", total_minutes=40, problem_minutes=22, procedures=[],
                   diagnoses=[{"code": "Z00.00"}, {"code": "J01.90"}])  # fmt: skip
    assert lines(result) == ["99396", "99213-25"] and not result.needs_review
    assert [ln.diagnosis_pointers for ln in result.service_lines] == [[1, 2], [2]]  # the problem E/M: the problem


def test_preventive_problem_work_without_a_problem_diagnosis_is_part_of_the_preventive_service() -> None:
    result = coded(visit_type="preventive", problem_mdm="low", procedures=[], diagnoses=[{"code": "Z00.00"}])
    assert lines(result) == ["99396"] and not result.needs_review


def test_preventive_minor_procedure_puts_25_on_the_preventive_service() -> None:
    result = coded(visit_type="preventive", total_minutes=None, mdm=None, procedures=[{"code": "17110"}],
                   diagnoses=[{"code": "Z00.00"}, {"code": "B07.9"}])  # fmt: skip
    assert lines(result) == ["99396-25", "17110"]


def test_telehealth_em_takes_95_and_a_telehealth_place() -> None:
    result = coded(visit_type="telehealth", total_minutes=25, procedures=[], diagnoses=[{"code": "F41.9"}])
    assert lines(result) == ["99214-95"] and result.place_of_service == "10"


def test_an_em_the_ehr_sends_is_checked_against_the_documentation() -> None:
    same = coded(total_minutes=25, mdm=None, procedures=[{"code": "99213"}], diagnoses=[{"code": "I10"}])
    assert lines(same) == ["99213"] and not same.needs_review  # one line, not two
    higher = coded(total_minutes=25, mdm=None, procedures=[{"code": "99214"}], diagnoses=[{"code": "I10"}])
    assert reasons(higher) == ["em-supplied-differs"] and higher.review_reasons[0].suggestions == ["99213", "99214"]
    unbacked = coded(total_minutes=None, mdm=None, procedures=[{"code": "99214"}], diagnoses=[{"code": "I10"}])
    assert reasons(unbacked) == ["em-supplied-differs"]
    nurse = coded(visit_type="nurse", total_minutes=None, mdm=None, procedures=[{"code": "99211"}],
                  diagnoses=[{"code": "I10"}])  # fmt: skip
    assert lines(nurse) == ["99211"] and not nurse.needs_review
