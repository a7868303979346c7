"""Procedure text as notes write it, digit modifiers, and the E/M and list rules found missing by corpus v5
(issue 11; tests/unit/data/coding_corpus_v5.csv, docs/coding.md)."""

from typing import Any

import pytest

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.diagnosis_helpers import code, dx
from tests.unit.sample import make_visit

TABLES = load_tables()


def coded(procedures: list[str], diagnoses: list[str], **kw: Any) -> CodingResult:
    """Procedures are documented text, or "code:X" / "code:XxN" for a supplied code; diagnoses are codes."""
    procs: list[dict[str, Any]] = []
    for p in procedures:
        if p.startswith("code:"):
            c, _, units = p[5:].partition("x")
            procs.append({"code": c, "units": int(units or 1)})
        else:
            procs.append({"text": p})
    kw.setdefault("total_minutes", None)
    kw.setdefault("mdm", None)
    visit = make_visit(procedures=procs, diagnoses=[{"code": c} for c in diagnoses], **kw)
    return code_visit(visit, TABLES)


def lines(result: CodingResult) -> list[str]:
    return sorted("-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
                  for ln in result.service_lines)  # fmt: skip


def reasons(result: CodingResult) -> list[str]:
    return [r.code for r in result.review_reasons]


@pytest.mark.parametrize(
    ("text", "dx_code", "expected"),
    [
        ("L knee inj, depo-medrol 80 mg", "M17.12", ["20610-LT", "J1030x2"]),
        ("US-guided R knee inj, kenalog 40 mg", "M17.11", ["20611-RT", "J3301x4"]),
        ("shave bx lesion R cheek", "L98.9", ["11102"]),
        ("tangential bx x2: R upper back, L shoulder", "L98.9", ["11102", "11103"]),
        ("punch bx x2 (scalp, L forearm)", "L30.9", ["11104", "11105"]),
        ("cryo x 6 AKs face and scalp", "L57.0", ["17000", "17003x5"]),
        ("UA dip", "R30.0", ["81002"]),
    ],
)
def test_procedure_abbreviations_read_as_the_catalog_words(text: str, dx_code: str, expected: list[str]) -> None:
    result = coded([text], [dx_code])
    assert lines(result) == sorted(expected), result.review_reasons


def test_us_is_ultrasound_only_before_guided() -> None:
    assert lines(coded(["knee injection R, kenalog 40 mg, discussed with us"], ["M17.11"]))[0] == "20610-RT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R thumb CMC joint injection, kenalog 10 mg", ["20600-F5", "J3301"]),
        ("L thumb joint injection, kenalog 10 mg", ["20600-FA", "J3301"]),
        ("partial nail avulsion R great toe", ["11730-T5"]),
        ("partial avulsion nail plate L great toe", ["11730-TA"]),  # "of" or not, one service
        ("avulsion of nail plate L great toe and L second toe", ["11730-TA", "11732-T1"]),
        ("avulsion of nail plate R great toe and L 2nd toe", ["11730-T5", "11732-T1"]),
    ],
)
def test_digit_modifiers_take_the_place_of_the_side(text: str, expected: list[str]) -> None:
    assert lines(coded([text], ["M18.11" if "thumb" in text else "L60.0"])) == sorted(expected)


def test_a_joint_injection_at_another_site_from_an_im_shot_gets_xs_and_without_a_site_goes_to_a_person() -> None:
    apart = coded(["R elbow injection, kenalog 20 mg", "ketorolac 30 mg IM L glute"], ["M77.11"])
    assert lines(apart) == sorted(["20605-RT", "J3301x2", "96372-XS", "J1885x2"])
    unsaid = coded(["US-guided L knee inj, kenalog 40 mg", "toradol 30 mg IM"], ["M17.12"])
    assert "edit-pair-modifier" in reasons(unsaid)


def test_hip_osteoarthritis_supports_a_major_joint_injection() -> None:
    result = coded(["bilateral hip injections, triamcinolone 40 mg each hip"], ["M16.0"])
    assert lines(result) == ["20610-50", "J3301x8"] and not result.review_reasons


def test_a_vaccine_only_visit_gets_no_em_even_with_minutes_recorded() -> None:
    result = coded(["Tdap IM"], [], total_minutes=10)
    assert lines(result) == ["90471", "90715"]
    with_problem = coded(["Tdap IM"], ["I10"], total_minutes=25)
    assert lines(with_problem) == sorted(["99213-25", "90471", "90715"])


def test_a_supplied_prolonged_code_needs_documented_time() -> None:
    by_mdm = coded(["code:99417"], ["J44.1"], mdm="high")
    assert "em-supplied-differs" in reasons(by_mdm)
    by_time = coded(["code:99417"], ["J44.1"], total_minutes=58)
    assert lines(by_time) == ["99215", "99417"] and not by_time.review_reasons


def test_a_supplied_visit_code_with_more_units_than_a_day_allows_goes_to_a_person() -> None:
    assert "mue" in reasons(coded(["code:99213x2"], ["R07.9"], total_minutes=25))
    assert not coded(["code:99213"], ["R07.9"], total_minutes=25).review_reasons


def test_consistent_with_written_c_w_is_uncertain() -> None:
    assert dx("cough", "c/w acute bronchitis") == ["R05.9"]


def test_a_follow_up_after_a_resolved_condition_codes_also_its_history() -> None:
    assert dx("f/u pneumonia, resolved") == ["Z09", "Z87.01"]


def test_a_side_is_read_without_when_the_code_has_no_side() -> None:
    assert dx("abscess of left buttock") == ["L02.31"]
    assert dx("abscess of left axilla") == ["L02.412"]  # a code with a side keeps it


def test_a_match_whose_title_names_another_side_goes_to_a_person() -> None:
    wrong_side = code("primary osteoarthritis of right first carpometacarpal joint")  # M18.0 is bilateral
    assert not wrong_side.diagnoses and [r.code for r in wrong_side.review_reasons] == ["dx-text-unsure"]
    assert dx("primary osteoarthritis of first carpometacarpal joint of both hands") == ["M18.0"]
    assert dx("left knee oa") == ["M17.12"]
