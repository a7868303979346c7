"""Adjudication arithmetic and edits, with the dollars worked out by hand."""

from datetime import date

import pytest

from payer_sim.domain.adjudication import adjudicate, random_denial
from payer_sim.domain.model import (
    Accumulator,
    ClaimHistory,
    CoverageRule,
    EditPair,
    Enrollment,
    FeeScheduleEntry,
    PayerTerms,
    Plan,
    ReferenceData,
)
from tests.unit.sample import make_claim

PLAN = Plan(
    payer_id="TESTPAYER",
    plan_id="P1",
    fee_multiplier=1.0,
    deductible_cents=50_000,
    coinsurance=0.20,
    copay_cents={"office": 0, "telehealth": 0, "preventive": 0},
    out_of_pocket_max_cents=100_000,
    timely_filing_days=365,
    prior_authorization=frozenset({"20610"}),
    excluded=frozenset({"96127"}),
)
TERMS = PayerTerms(
    payer_id="TESTPAYER",
    name="Test Payer",
    tax_id="999999999",
    address={"line1": "1 Test St", "city": "Testville", "state": "IL", "zip": "62701"},
    claim_filing_indicator="CI",
    default_plan="P1",
    plans={"P1": PLAN},
    non_covered=frozenset({"17110"}),
    coverage_policy={"93000": CoverageRule(("I10", "R07"), "11"), "82306": CoverageRule(("E55",), "50")},
)
FEES = {
    code: FeeScheduleEntry(cents, glob)
    for code, cents, glob in [
        ("99999", 12_000, "XXX"), ("36415", 300, "XXX"), ("99214", 10_000, "XXX"), ("93000", 1_600, "XXX"),
        ("82306", 2_960, "XXX"), ("20610", 6_800, "000"), ("96372", 1_400, "XXX"), ("81002", 350, "XXX"),
        ("81003", 310, "XXX"), ("96127", 450, "XXX"), ("17110", 11_500, "010"), ("99396", 13_400, "XXX"),
    ]
}  # fmt: skip
REF = ReferenceData(
    payers={"TESTPAYER": TERMS},
    fee_schedule=FEES,
    edit_pairs=(EditPair("81002", "81003", 0), EditPair("20610", "96372", 1)),
)
TODAY = date(2026, 11, 27)


def history(**kw) -> ClaimHistory:  # type: ignore[no-untyped-def]
    base = {"submitted_on": TODAY, "enrollment": None, "prior": None, "paid_line_keys": frozenset()}
    return ClaimHistory(**{**base, **kw})


def claim(lines, **kw):  # type: ignore[no-untyped-def]
    return make_claim(lines, **{"payer_id": "TESTPAYER", "plan_id": "P1", **kw})


def cas(line) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {f"{a.group}-{a.carc}": a.amount_cents for a in line.adjustments}


@pytest.mark.parametrize(
    ("case", "code", "billed", "met", "oop_met", "expected_cas", "paid"),
    [
        # billed $200, allowed $120, $50 deductible left, 20% coinsurance (the domain-facts example)
        ("domain facts", "99999", 20_000, 45_000, 0, {"CO-45": 8_000, "PR-1": 5_000, "PR-2": 1_400}, 5_600),
        ("billed under the fee", "36415", 200, 50_000, 0, {"PR-2": 40}, 160),
        ("deductible takes it all", "99999", 20_000, 0, 0, {"CO-45": 8_000, "PR-1": 12_000}, 0),
        ("cap leaves $10 of coinsurance", "99999", 20_000, 50_000, 99_000, {"CO-45": 8_000, "PR-2": 1_000}, 11_000),
        ("cap already reached", "99999", 20_000, 50_000, 100_000, {"CO-45": 8_000}, 12_000),
        ("preventive has no cost sharing", "99396", 23_500, 0, 0, {"CO-45": 10_100}, 13_400),
    ],
)
def test_arithmetic(case, code, billed, met, oop_met, expected_cas, paid) -> None:  # type: ignore[no-untyped-def]
    result = adjudicate(claim([(code, billed)]), TERMS, REF, Accumulator(met, oop_met), history())
    line = result.lines[0]
    assert cas(line) == expected_cas, case
    assert line.paid_cents == paid, case
    assert line.balances


def test_accumulators_move_with_the_claim() -> None:
    result = adjudicate(claim([("99999", 20_000)]), TERMS, REF, Accumulator(45_000, 0), history())
    assert (result.accumulator.deductible_met_cents, result.accumulator.out_of_pocket_met_cents) == (50_000, 6_400)
    assert (result.deductible_cents, result.out_of_pocket_cents) == (5_000, 6_400)


def test_copay_then_deductible_then_coinsurance() -> None:
    plan = Plan(**{**PLAN.__dict__, "copay_cents": {"office": 2_500, "telehealth": 1_000, "preventive": 0}})
    terms = PayerTerms(**{**TERMS.__dict__, "plans": {"P1": plan}})
    line = adjudicate(claim([("99214", 15_000)]), terms, REF, Accumulator(47_000), history()).lines[0]
    # allowed 100; copay 25; deductible 30 left; coinsurance 20% of 45 = 9; paid 36
    assert cas(line) == {"CO-45": 5_000, "PR-3": 2_500, "PR-1": 3_000, "PR-2": 900}
    assert line.paid_cents == 3_600


def test_deductible_met_across_two_claims_of_one_member() -> None:
    first = adjudicate(claim([("99999", 20_000)]), TERMS, REF, Accumulator(40_000), history())
    second = adjudicate(claim([("99999", 20_000)]), TERMS, REF, first.accumulator, history())
    assert cas(first.lines[0])["PR-1"] == 10_000
    assert "PR-1" not in cas(second.lines[0])
    assert second.lines[0].paid_cents == 9_600


@pytest.mark.parametrize(
    ("case", "lines", "claim_kw", "hist_kw", "expected"),
    [
        ("unknown payer", [("99999", 100)], {"payer_id": "NOBODY"}, {}, ["CO-109"]),
        ("coverage ended", [("99999", 100)], {}, {"enrollment": Enrollment("P1", None, date(2026, 6, 30))}, ["CO-27"]),
        ("timely filing", [("99999", 100)], {}, {"submitted_on": date(2027, 12, 1)}, ["CO-29"]),
        ("non-covered", [("17110", 100)], {}, {}, ["CO-96"]),
        ("excluded by the plan", [("96127", 100)], {}, {}, ["CO-204"]),
        ("no prior authorisation", [("20610", 100)], {}, {}, ["CO-197"]),
        ("diagnosis supports", [("93000", 100)], {}, {}, [None]),  # the claim's diagnosis is I10
        ("diagnosis does not support", [("93000", 100)], {"diagnoses": ["J30.9"]}, {}, ["CO-11"]),
        ("medical necessity", [("82306", 100)], {}, {}, ["CO-50"]),
        ("pair never together", [("81002", 100), ("81003", 100)], {}, {}, [None, "CO-97"]),
        ("pair without modifier", [("20610", 100), ("96372", 100)], {"prior_authorization": "PA1"}, {},
         [None, "CO-236"]),
        ("E/M with minor procedure, no 25", [("99214", 100), ("20610", 100)], {"prior_authorization": "PA1"}, {},
         ["CO-4", None]),
    ],
)  # fmt: skip
def test_edits(case, lines, claim_kw, hist_kw, expected) -> None:  # type: ignore[no-untyped-def]
    c = claim(lines, **claim_kw)
    terms = REF.payers.get(c.payer_id)
    result = adjudicate(c, terms, REF, Accumulator(50_000), history(**hist_kw))
    got = [next((k for k in cas(ln) if not k.startswith(("CO-45", "PR-"))), None) for ln in result.lines]
    assert got == expected, case
    assert all(ln.balances for ln in result.lines)
    if all(e and e != "CO-4" for e in expected):
        assert result.claim_status_code == "4"


def test_modifiers_cure_the_pair_and_the_em() -> None:
    c = claim([("99214", 15_000), ("20610", 16_500), ("96372", 4_500)], prior_authorization="PA1")
    c.service_lines[0].modifiers = ["25"]
    c.service_lines[2].modifiers = ["XU"]
    result = adjudicate(c, TERMS, REF, Accumulator(50_000), history())
    assert all(ln.paid_cents > 0 for ln in result.lines)


def test_duplicate_line_already_paid_on_another_claim() -> None:
    from payer_sim.domain.adjudication import line_key

    c = claim([("99999", 20_000)])
    result = adjudicate(
        c, TERMS, REF, Accumulator(), history(paid_line_keys=frozenset({line_key(c, c.service_lines[0])}))
    )
    assert cas(result.lines[0]) == {"OA-18": 20_000}


def test_random_denials_are_seeded_and_off_by_default() -> None:
    assert random_denial(1, 0.0, "claim-1") is None
    picks = [random_denial(7, 0.3, f"claim-{i}") for i in range(1000)]
    assert picks == [random_denial(7, 0.3, f"claim-{i}") for i in range(1000)]
    assert 200 < sum(p is not None for p in picks) < 400
