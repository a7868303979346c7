"""Coordination of benefits, pure: the order of a visit's coverages, the secondary's adjudication
by each method (dollars worked out by hand), and the biller's claim to the next payer."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from biller.domain.cob import next_payer_claim
from biller.domain.model import PayerInfo, Posting
from payer_sim.domain.cob import adjudicate_later
from payer_sim.domain.model import Accumulator
from shared import ids
from shared.schemas import Adjustment, RemittanceIssued, RemittanceLine, VisitReceived
from shared.schemas.cob import PriorPayer, PriorPayerLine
from tests.unit.sample import make_claim, visit_dict
from tests.unit.test_adjudication import PLAN, REF, TERMS, history

MEDICARE = {"payer_id": "MEDICARE", "member_id": "1EG4TE5MK73", "insurance_kind": "medicare"}
MEDIGAP = {"payer_id": "MEDIGAP", "member_id": "MG123", "insurance_kind": "medigap"}


def ordered(coverages: list[dict]) -> list[str]:
    visit = visit_dict(coverages=coverages)
    visit.pop("coverage", None)
    return [c.payer_id for c in VisitReceived.model_validate({**envelope(), "visit": visit}).visit.coverages]


def envelope() -> dict:
    return {"event_id": ids.event_id("t"), "visit_id": visit_dict()["visit_id"],
            "patient_id": visit_dict()["patient"]["id"], "producer": {"service": "t"},
            "received_at": "2026-11-20T00:00:00Z"}  # fmt: skip


def refused(coverages: list[dict]) -> str:
    with pytest.raises(ValidationError) as caught:
        ordered(coverages)
    return str(caught.value)


def test_schema_1_event_reads_as_one_primary_coverage() -> None:
    old = {**envelope(), "schema_version": 1, "visit": visit_dict()}
    visit = VisitReceived.model_validate(old).visit
    assert visit.coverage is not None and [c.order for c in visit.coverages] == [1]
    assert visit.coverages[0].payer_id == visit_dict()["coverage"]["payer_id"]


def test_given_order_is_kept_and_duplicates_or_gaps_are_refused_naming_the_field() -> None:
    assert ordered([{**MEDIGAP, "order": 2}, {**MEDICARE, "order": 1}]) == ["MEDICARE", "MEDIGAP"]
    assert "coverages[1].order" in refused([{**MEDICARE, "order": 1}, {**MEDIGAP, "order": 1}])
    assert "gap" in refused([{**MEDICARE, "order": 1}, {**MEDIGAP, "order": 3}])
    assert "coverages[1].order: missing" in refused([{**MEDICARE, "order": 1}, MEDIGAP])


def test_medicare_secondary_payer_rules_when_no_order_is_given() -> None:
    assert ordered([MEDIGAP, MEDICARE]) == ["MEDICARE", "MEDIGAP"]
    working = {"payer_id": "BLUEPEAK", "member_id": "B1", "insurance_kind": "employer_group",
               "employer_size": 20, "subscriber_actively_employed": True}  # fmt: skip
    assert ordered([MEDICARE, working]) == ["BLUEPEAK", "MEDICARE"]  # 20+ employees, working: employer first
    assert ordered([{**working, "employer_size": 19}, MEDICARE]) == ["MEDICARE", "BLUEPEAK"]
    assert "coverages.order" in refused([MEDICARE, {**working, "employer_size": None}])  # the data does not say
    medicaid = {"payer_id": "MEDICAID", "member_id": "C1", "insurance_kind": "medicaid"}
    assert ordered([medicaid, MEDICARE]) == ["MEDICARE", "MEDICAID"]  # payer of last resort


def test_birthday_rule_for_a_child_of_two_parents() -> None:
    def parent(payer: str, born: str) -> dict:
        return {"payer_id": payer, "member_id": f"{payer[:2]}1", "relationship": "child",
                "subscriber": {"first_name": "A", "last_name": "B", "birth_date": born}}  # fmt: skip

    # March 4 comes before July 1 in the year, whatever the years of birth
    assert ordered([parent("NORTHSTAR", "1980-07-01"), parent("BLUEPEAK", "1984-03-04")]) == ["BLUEPEAK", "NORTHSTAR"]
    assert "coverages.order" in refused([parent("NORTHSTAR", "1980-07-01"), parent("BLUEPEAK", "1984-07-01")])


def answered(claim, lines: list[tuple[int, list[tuple[str, str, int]]]]) -> PriorPayer:  # type: ignore[no-untyped-def]
    """The primary's answer (paid, [(group, carc, amount)]) per line, as the secondary's claim carries it."""
    prior_lines = [
        PriorPayerLine(line_control_number=ln.line_control_number, procedure_code=ln.procedure_code, units=1,
                       paid_cents=paid, adjustments=[Adjustment(group=g, carc=c, amount_cents=a) for g, c, a in cas],
                       remaining_patient_cents=sum(a for g, _, a in cas if g == "PR"))
        for ln, (paid, cas) in zip(claim.service_lines, lines, strict=True)
    ]  # fmt: skip
    return PriorPayer(
        sequence="P", payer_id="MEDICARE", payer_name="Medicare", x12_payer_id="00999", claim_filing_indicator="MB",
        coverage=claim.coverage, payer_claim_control_number="MED1", adjudicated_on=date(2026, 11, 21),
        paid_cents=sum(p.paid_cents for p in prior_lines),
        remaining_patient_cents=sum(p.remaining_patient_cents for p in prior_lines), lines=prior_lines,
    )  # fmt: skip


def secondary(method: str, covers: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    plan = dataclasses.replace(PLAN, cob_method=method, supplement_covers=covers, deductible_cents=0)
    ref = dataclasses.replace(REF, payers={"TESTPAYER": dataclasses.replace(TERMS, plans={"P1": plan})})
    claim = make_claim([("99214", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    # the primary allowed $100: $20 deductible, $16 coinsurance, paid $64, $100 written off (CO-45)
    prior = answered(claim, [(6_400, [("CO", "45", 10_000), ("PR", "1", 2_000), ("PR", "2", 1_600)])])
    claim = claim.model_copy(update={"payer_sequence": "S", "prior_payers": [prior]})
    return adjudicate_later(claim, ref.payers["TESTPAYER"], ref, Accumulator(), history())


def test_supplement_pays_the_cost_sharing_it_covers_and_the_patient_owes_the_rest() -> None:
    result = secondary("supplement", frozenset({"2", "3"}))  # Medigap plan G: not the deductible
    [line] = result.lines
    assert (result.claim_status_code, line.paid_cents) == ("2", 1_600)
    assert {(a.group, a.carc): a.amount_cents for a in line.adjustments} == {("OA", "23"): 16_400, ("PR", "1"): 2_000}
    assert line.charge_cents - line.paid_cents == sum(a.amount_cents for a in line.adjustments)


def test_standard_pays_its_own_benefit_up_to_the_balance() -> None:
    # own benefit: allowed $100, no deductible, 20 % coinsurance -> $80; the balance is $36
    [line] = secondary("standard").lines
    assert line.paid_cents == 3_600 and not [a for a in line.adjustments if a.group == "PR"]


def test_non_duplication_pays_its_benefit_less_what_the_primary_paid() -> None:
    [line] = secondary("non_duplication").lines  # $80 - $64 = $16, within the $36 balance
    assert line.paid_cents == 1_600
    assert sum(a.amount_cents for a in line.adjustments if a.group == "PR") == 2_000


def _remittance(claim):  # type: ignore[no-untyped-def]
    """Medicare's answer to the one-line claim: allowed $100, paid $64, $20 deductible, $16 coinsurance."""
    [line] = claim.service_lines
    adjustments = [Adjustment(group="CO", carc="45", amount_cents=10_000),
                   Adjustment(group="PR", carc="1", amount_cents=2_000),
                   Adjustment(group="PR", carc="2", amount_cents=1_600)]  # fmt: skip
    return RemittanceIssued(
        event_id=ids.event_id("remit", claim.claim_id), visit_id=claim.visit_id, patient_id=claim.patient_id,
        producer={"service": "t"}, received_at=claim.received_at, claim_id=claim.claim_id,
        claim_event_id=claim.event_id, patient_control_number=claim.claim_id, payer_id="MEDICARE",
        payer_claim_control_number="MED1", claim_status_code="1", member_id=claim.coverage.member_id,
        patient_first_name="A", patient_last_name="B", payee={"npi": "1", "name": "x", "tax_id": "1"},
        service_date=claim.service_date, adjudicated_on=date(2026, 11, 21), total_charge_cents=20_000,
        paid_cents=6_400, patient_responsibility_cents=3_600,
        service_lines=[RemittanceLine(line_control_number=line.line_control_number, procedure_code="99214",
                                      units=1, charge_cents=20_000, allowed_cents=10_000, paid_cents=6_400,
                                      adjustments=adjustments)],
    )  # fmt: skip


def test_next_payer_claim_follows_the_answer_once_with_its_own_id() -> None:
    claim = make_claim([("99214", 20_000)], payer_id="MEDICARE")
    medigap = PayerInfo("MEDIGAP", "Liberty Medigap", "MGS07", "16")
    later = {"sequence": "S", "payer_id": "MEDIGAP", "payer_name": "Liberty Medigap", "x12_payer_id": "MGS07",
             "claim_filing_indicator": "16", "coverage": {**MEDIGAP, "order": 2}}  # fmt: skip
    claim = claim.model_validate({**claim.model_dump(), "later_payers": [later]})
    payers = {"MEDICARE": PayerInfo("MEDICARE", "Medicare", "00999", "MB"), "MEDIGAP": medigap}
    posting = Posting("paid", 6_400, 10_000, 3_600, 10_000, {}, [], [])
    remit = _remittance(claim)
    made = next_payer_claim(claim, remit, posting, payers, datetime(2026, 11, 22, tzinfo=UTC))
    again = next_payer_claim(claim, remit, posting, payers, datetime(2026, 11, 23, tzinfo=UTC))
    assert made is not None and again is not None
    assert made.claim_id == again.claim_id != claim.claim_id and made.event_id == again.event_id
    assert (made.payer_id, made.payer_sequence, made.primary_claim_id) == ("MEDIGAP", "S", claim.claim_id)
    assert made.prior_payers[0].paid_cents == 6_400 and made.prior_payers[0].remaining_patient_cents == 3_600
    denied = dataclasses.replace(posting, status="denied")
    assert next_payer_claim(claim, remit, denied, payers, datetime(2026, 11, 22, tzinfo=UTC)) is None


def test_a_secondary_answer_is_no_denial_for_the_biller_or_the_console() -> None:
    from biller.domain.posting import post
    from console.domain.remittance import outcome

    claim = make_claim([("99214", 20_000)], payer_id="MEDIGAP")
    remit = _remittance(claim)
    [line] = remit.service_lines
    # Medigap's answer: $36 paid of the $36 Medicare left; OA-23 the $164 Medicare paid and adjusted
    secondary = remit.model_copy(update={
        "payer_id": "MEDIGAP", "claim_status_code": "2", "paid_cents": 3_600, "patient_responsibility_cents": 0,
        "service_lines": [line.model_copy(update={"paid_cents": 3_600, "allowed_cents": 3_600, "adjustments": [
            Adjustment(group="OA", carc="23", amount_cents=16_400)]})],
    })  # fmt: skip
    assert secondary.balances
    posting = post(claim, secondary)
    assert (posting.status, posting.denials, posting.patient_cents) == ("paid", [], 0)
    seen = outcome(secondary)
    assert (seen.status, seen.denied, seen.written_off_cents) == ("paid", False, 0)
