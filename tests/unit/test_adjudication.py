"""Adjudication arithmetic, with the dollars worked out by hand."""

from rcmflow.payer_sim.domain.adjudication import adjudicate
from rcmflow.payer_sim.domain.model import Accumulator, PayerTerms, Plan
from tests.unit.sample import make_claim

PLAN = Plan(
    payer_id="TESTPAYER",
    plan_id="P1",
    fee_multiplier=1.0,
    deductible_cents=50_000,
    coinsurance=0.20,
    copay_cents=0,
    out_of_pocket_max_cents=100_000,
    timely_filing_days=365,
)
TERMS = PayerTerms(payer_id="TESTPAYER", name="Test", default_plan="P1", plans={"P1": PLAN})
FEES = {"99999": 12_000, "36415": 300, "99214": 10_000}


def cas(line) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {f"{a.group}-{a.carc}": a.amount_cents for a in line.adjustments}


def test_domain_facts_example() -> None:
    # billed $200, allowed $120, $50 deductible left, 20% coinsurance -> CO-45 80, PR-1 50, PR-2 14, paid 56
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    result = adjudicate(claim, TERMS, FEES, Accumulator(deductible_met_cents=45_000))
    line = result.lines[0]
    assert cas(line) == {"CO-45": 8_000, "PR-1": 5_000, "PR-2": 1_400}
    assert line.paid_cents == 5_600 and line.allowed_cents == 12_000
    assert line.balances
    assert result.accumulator.deductible_met_cents == 50_000
    assert result.accumulator.out_of_pocket_met_cents == 6_400


def test_billed_below_fee_schedule_has_no_write_off() -> None:
    claim = make_claim([("36415", 200)], payer_id="TESTPAYER", plan_id="P1")
    line = adjudicate(claim, TERMS, FEES, Accumulator(deductible_met_cents=50_000)).lines[0]
    assert line.allowed_cents == 200
    assert cas(line) == {"PR-2": 40}
    assert line.paid_cents == 160


def test_out_of_pocket_cap_gives_back_coinsurance() -> None:
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    acc = Accumulator(deductible_met_cents=50_000, out_of_pocket_met_cents=99_000)
    line = adjudicate(claim, TERMS, FEES, acc).lines[0]
    # allowed 120, coinsurance would be 24, only 10 of room left under the cap
    assert cas(line) == {"CO-45": 8_000, "PR-2": 1_000}
    assert line.paid_cents == 11_000


def test_copay_then_deductible_then_coinsurance() -> None:
    plan = Plan(**{**PLAN.__dict__, "copay_cents": 2_500})
    terms = PayerTerms(payer_id="TESTPAYER", name="Test", default_plan="P1", plans={"P1": plan})
    claim = make_claim([("99214", 15_000)], payer_id="TESTPAYER", plan_id="P1")
    line = adjudicate(claim, terms, FEES, Accumulator(deductible_met_cents=47_000)).lines[0]
    # allowed 100; copay 25; deductible 30 left; coinsurance 20% of 45 = 9; paid 36
    assert cas(line) == {"CO-45": 5_000, "PR-3": 2_500, "PR-1": 3_000, "PR-2": 900}
    assert line.paid_cents == 3_600


def test_deductible_met_across_two_claims_of_one_member() -> None:
    first = adjudicate(
        make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1"), TERMS, FEES, Accumulator(40_000)
    )
    second = adjudicate(
        make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1"), TERMS, FEES, first.accumulator
    )
    assert cas(first.lines[0])["PR-1"] == 10_000
    assert "PR-1" not in cas(second.lines[0])
    assert second.lines[0].paid_cents == 9_600


def test_terminated_coverage_is_denied_co_27() -> None:
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1", termination_date="2026-06-30")
    result = adjudicate(claim, TERMS, FEES, Accumulator())
    assert result.claim_status_code == "4"
    assert cas(result.lines[0]) == {"CO-27": 20_000}


def test_unknown_payer_co_109_and_uncovered_code_co_96() -> None:
    assert cas(adjudicate(make_claim([("99999", 100)]), None, FEES, Accumulator()).lines[0]) == {"CO-109": 100}
    result = adjudicate(
        make_claim([("12345", 100), ("99999", 100)], payer_id="TESTPAYER", plan_id="P1"), TERMS, FEES, Accumulator()
    )
    assert cas(result.lines[0]) == {"CO-96": 100}
    assert result.claim_status_code == "1"
