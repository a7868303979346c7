"""Payer rules as data, Medicare first: IPPE/AWV instead of routine physicals, Medicare's vaccine
administration codes, QW on waived tests, influenza products by season (issue 11)."""

from typing import Any

import pytest

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit

TABLES = load_tables()
SENIOR = {**make_visit().patient.model_dump(mode="json"), "birth_date": "1955-04-02"}


def medicare(effective_date: str | None = "2020-05-01", **kw: Any) -> CodingResult:
    coverage = {"payer_id": "MEDICARE", "member_id": "1EG4TE5MK73", "effective_date": effective_date}
    return code_visit(make_visit(patient=SENIOR, coverage=coverage, **kw), TABLES)


def lines(result: CodingResult) -> list[str]:
    return ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
            for ln in result.service_lines]  # fmt: skip


def reasons(result: CodingResult) -> list[str]:
    return [r.code for r in result.review_reasons]


@pytest.mark.parametrize(
    ("part_b", "last", "expected"),
    [
        ("2026-03-01", None, "G0402"),  # first 12 months of Part B: the IPPE
        ("2025-11-21", None, "G0402"),  # the last day of the first year
        ("2025-11-20", None, "G0438"),  # a year on: first AWV
        ("2020-05-01", None, "G0438"),
        ("2020-05-01", "2025-11-03", "G0439"),  # 11 full months after November 2025
        ("2020-05-01", "2019-06-01", "G0438"),  # a physical before Medicare: the first AWV
        ("2025-01-10", "2025-02-01", "G0438"),  # the IPPE was the last: the first AWV next
        (None, "2024-10-01", "G0439"),
    ],
)
def test_medicare_wellness_visit_instead_of_a_routine_physical(part_b: str | None, last: str | None,
                                                                expected: str) -> None:  # fmt: skip
    result = medicare(part_b, visit_type="preventive", last_wellness_visit=last, procedures=[], total_minutes=None,
                      mdm=None)  # fmt: skip
    assert lines(result) == [expected] and not result.needs_review


@pytest.mark.parametrize(
    ("part_b", "last", "why"),
    [
        ("2020-05-01", "2025-12-01", "wellness-too-soon"),  # only 11 months, not 11 full months after
        ("2026-03-01", "2026-04-01", "wellness-too-soon"),  # the IPPE is done already
        (None, None, "wellness-basis"),
    ],
)
def test_medicare_wellness_too_soon_or_unknown_goes_to_a_person(part_b: str | None, last: str | None, why: str) -> None:
    result = medicare(part_b, visit_type="preventive", last_wellness_visit=last, procedures=[])
    assert reasons(result) == [why] and not any(ln.procedure_code.startswith("993") for ln in result.service_lines)


def test_medicare_routine_physical_supplied_goes_to_a_person() -> None:
    result = medicare(procedures=[{"code": "99397"}], total_minutes=None, mdm=None)
    assert reasons(result)[0] == "payer-not-covered" and "G0439" in result.review_reasons[0].suggestions


def test_vaccine_administration_one_per_vaccine_and_medicare_codes() -> None:
    named = [{"text": "Fluad trivalent IM"}, {"text": "Prevnar 20 IM"}, {"text": "Tdap IM"}]
    result = medicare(procedures=named, total_minutes=None, mdm=None, diagnoses=[])
    # Tdap outside injury care is a Part D vaccine for Medicare (Pub. 100-02 ch. 15 50.4.4.2): a person bills it
    assert lines(result) == ["G0008", "90653", "G0009", "90677", "90471", "90715"]
    assert reasons(result) == ["payer-part-d-vaccine"]
    assert [d.code for d in result.diagnoses] == ["Z23"]  # a vaccine-only visit: Z23 first-listed
    commercial = code_visit(make_visit(procedures=named, total_minutes=None, mdm=None, diagnoses=[]), TABLES)
    assert lines(commercial) == ["90471", "90653", "90472x2", "90677", "90715"]
    written = [{"code": "90653"}, {"code": "90732"}, {"code": "90715"}, {"text": "vaccine administration"}]
    result = medicare(procedures=written, total_minutes=None, mdm=None, diagnoses=[{"code": "Z23"}])
    assert lines(result) == ["90653", "90732", "90715", "G0008", "G0009", "90471"]
    assert reasons(result) == ["payer-part-d-vaccine"]


def test_childhood_vaccines_counselled_by_the_physician() -> None:
    child = {**make_visit().patient.model_dump(mode="json"), "birth_date": "2021-06-01"}
    texts = [
        {"text": "MMR subcut, counseling by physician"},
        {"text": "varicella vaccine subcut, counseling by physician"},
    ]
    result = code_visit(make_visit(patient=child, procedures=texts, total_minutes=None, mdm=None, diagnoses=[]),
                        TABLES)  # fmt: skip
    assert lines(result) == ["90460x2", "90461x2", "90707", "90716"] and not result.needs_review


def test_influenza_product_by_season() -> None:
    def flu(on: str, proc: dict[str, str]) -> CodingResult:
        visit = make_visit(service_date=on, procedures=[proc, {"code": "90471"}], total_minutes=None, mdm=None,
                           diagnoses=[{"code": "Z23"}])  # fmt: skip
        return code_visit(visit, TABLES)

    assert lines(flu("2023-10-10", {"text": "IIV3 preservative-free 0.5 mL IM"}))[0] == "90686"  # quadrivalent then
    assert lines(flu("2025-10-10", {"text": "Fluzone Quadrivalent 0.5 mL"}))[0] == "90656"  # trivalent since 2024-25
    assert lines(flu("2025-10-10", {"text": "fluzone high-dose"}))[0] == "90662"
    unnamed = flu("2025-10-10", {"text": "flu shot"})
    assert reasons(unnamed) == ["flu-product-unnamed"] and "90662" in unnamed.review_reasons[0].suggestions
    wrong = flu("2025-10-10", {"code": "90686"})
    assert reasons(wrong) == ["flu-product-season"] and wrong.review_reasons[0].suggestions == ["90656"]


@pytest.mark.parametrize(("payer", "expected"), [("MEDICARE", "87880-QW"), ("MEDICAID", "87880-QW"),
                                                 ("BLUEPEAK", "87880"), ("NORTHSTAR", "87880")])  # fmt: skip
def test_qw_on_waived_tests_where_the_payer_asks(payer: str, expected: str) -> None:
    coverage = {"payer_id": payer, "member_id": "ZZT000111"}
    result = code_visit(make_visit(coverage=coverage, total_minutes=15, mdm=None, diagnoses=[{"code": "J02.9"}],
                                   procedures=[{"code": "87880"}, {"code": "81025"}]), TABLES)  # fmt: skip
    assert lines(result)[1:] == [expected, "81025"]  # 81025 is waived without QW


def test_medicare_prolonged_service_is_g2212() -> None:
    result = medicare(total_minutes=70, mdm=None, procedures=[], diagnoses=[{"code": "I10"}])
    assert lines(result) == ["99215", "G2212"]


def test_reference_data_corrections() -> None:
    """Issue 11: acne NOS is L70.9 (Alphabetic Index), a urine pregnancy test is 81025 (not 84703, serum)."""
    result = code_visit(make_visit(diagnoses=[{"text": "acne"}, {"text": "acne vulgaris"}], total_minutes=15, mdm=None,
                                   procedures=[{"text": "urine pregnancy test"}]), TABLES)  # fmt: skip
    assert [d.code for d in result.diagnoses] == ["L70.9", "L70.0"]
    assert lines(result) == ["99212", "81025"]
