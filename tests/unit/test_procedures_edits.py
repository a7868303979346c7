"""Modifier 25, NCCI procedure-to-procedure edits by modifier indicator, add-on codes and MUEs (issue 11)."""

from typing import Any

import pytest

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit

TABLES = load_tables()


def coded(procedures: list[dict[str, Any]], diagnoses: list[str], **kw: Any) -> CodingResult:
    kw.setdefault("total_minutes", 20)
    kw.setdefault("mdm", None)
    return code_visit(make_visit(procedures=procedures, diagnoses=[{"code": c} for c in diagnoses], **kw), TABLES)


def lines(result: CodingResult) -> list[str]:
    return ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
            for ln in result.service_lines]  # fmt: skip


def reasons(result: CodingResult) -> list[str]:
    return [r.code for r in result.review_reasons]


@pytest.mark.parametrize(
    ("procedure", "dx", "expected"),
    [
        ("20610", "M17.11", "99213-25"),  # minor procedure, global 000
        ("10060", "L02.91", "99213-25"),  # global 010
        ("96372", "M54.50", "99213-25"),  # injection
        ("90471", "I10", "99213-25"),  # vaccine administration
        ("87880", "J02.9", "99213"),  # a lab test needs no 25
        ("93000", "R07.9", "99213"),
    ],
)
def test_modifier_25_beside_minor_procedures_injections_and_vaccine_administration(procedure: str, dx: str,
                                                                                   expected: str) -> None:  # fmt: skip
    result = coded([{"code": procedure}], [dx])
    assert lines(result)[0] == expected


def test_indicator_0_component_is_dropped_and_said_on_the_comprehensive_line() -> None:
    result = coded([{"code": "93000"}, {"code": "93010"}], ["R07.9"])
    assert lines(result) == ["99213", "93000"] and not result.needs_review
    assert any("93010 is included in 93000" in e for e in result.service_lines[1].evidence)
    panel = coded([{"code": "80053"}, {"code": "82947"}, {"code": "84132"}], ["E11.9"])
    assert lines(panel) == ["99213", "80053"]


def test_indicator_0_mutually_exclusive_goes_to_a_person() -> None:
    result = coded([{"code": "12002"}, {"code": "12001"}], ["S51.811A"], total_minutes=None)
    assert reasons(result) == ["edit-pair"] and result.review_reasons[0].suggestions == ["12002", "12001"]


def test_indicator_1_by_documentation() -> None:
    documented = coded(
        [{"code": "20610"}, {"text": "im injection at a separate site"}, {"code": "J1885"}], ["M17.11", "M54.50"]
    )  # fmt: skip (M54.50 is a separate problem: the E/M stands)
    assert lines(documented) == ["99213-25", "20610", "96372-XS", "J1885"] and not documented.needs_review
    silent = coded([{"code": "20610"}, {"code": "96372"}, {"code": "J1885"}], ["M17.11"], total_minutes=None)
    assert reasons(silent) == ["edit-pair-modifier"]
    assert silent.review_reasons[0].suggestions == ["96372-XS", "96372-XU"]
    sides = coded([{"text": "left joint injection"}, {"text": "right ultrasound guided joint injection"}],
                  ["M17.12", "M17.11", "I10"])  # fmt: skip
    assert lines(sides) == ["99213-25", "20610-LT", "20611-RT"] and not sides.needs_review  # anatomic modifiers


def test_nurse_injection_drops_99211_by_the_ncci_pair_and_policy() -> None:
    result = coded([{"code": "96372"}, {"code": "J3420"}], ["E53.8"], visit_type="nurse", total_minutes=None)
    assert lines(result) == ["96372", "J3420"]


def test_add_on_codes_need_their_primary() -> None:
    ok = coded([{"code": "17000"}, {"code": "17003", "units": 4}], ["L57.0"], total_minutes=None)
    assert lines(ok) == ["17000", "17003x4"] and not ok.needs_review
    alone = coded([{"code": "17003", "units": 4}], ["L57.0"], total_minutes=None)
    assert reasons(alone) == ["addon-without-primary"] and alone.review_reasons[0].suggestions == ["17000"]
    prolonged = coded([{"code": "99417"}], ["I10"], total_minutes=30)  # with a level-4 E/M
    assert reasons(prolonged) == ["addon-without-primary"]
    counselling = coded([{"code": "90715"}, {"code": "90461"}], ["Z23"], total_minutes=None)
    assert reasons(counselling) == ["addon-without-primary"]
    admin = coded([{"code": "90715"}, {"code": "90472"}], ["Z23"], total_minutes=None)
    assert reasons(admin) == ["addon-without-primary"]  # supplied codes are not rewritten: a person sees them


def test_units_above_the_mue_go_to_a_person_naming_the_mue() -> None:
    within = coded([{"code": "17000"}, {"code": "17003", "units": 13}], ["L57.0"], total_minutes=None)
    assert not within.needs_review
    above = coded([{"code": "17000"}, {"code": "17003", "units": 14}], ["L57.0"], total_minutes=None)
    assert reasons(above) == ["mue"] and "MUE of 13" in above.review_reasons[0].message
    line_edit = coded([{"code": "20610", "units": 3}], ["M17.0"], total_minutes=None)
    assert reasons(line_edit) == ["mue"]


def test_reasons_are_the_same_for_any_order_of_the_documentation() -> None:
    procedures = [{"code": "81002"}, {"code": "81003"}, {"code": "12002"}, {"code": "12001"}]
    a = coded(procedures, ["N39.0", "S51.811A"])
    b = coded(list(reversed(procedures)), ["N39.0", "S51.811A"])
    assert [r.message for r in a.review_reasons] == [r.message for r in b.review_reasons]


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("Kenalog 40 mg injected into left shoulder joint", ["20610-LT", "J3301x4"], []),  # joint by its size
        ("ultrasound guided aspiration of left knee", ["20611-LT"], []),
        ("Rocephin 1 gram IM", ["96372", "J0696x4"], []),  # per 250 mg
        ("ketorolac injection", ["96372", "J1885"], ["drug-dose-missing"]),  # per 15 mg: the dose decides
        ("B12 injection", ["96372", "J3420"], []),  # up to 1000 mcg: one unit without a dose
    ],
)
def test_procedure_text_as_a_coder_reads_it(text: str, expected: list[str], why: list[str]) -> None:
    result = coded([{"text": text}], ["M17.12", "N10", "E53.8"], total_minutes=None)
    assert lines(result) == expected
    assert [r for r in reasons(result) if r != "line-unsupported"] == why
