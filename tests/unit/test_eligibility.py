"""Eligibility before billing: the biller's 270 and the payer's 271 are structurally valid under
005010X279A1 and read back to the same answers; the payer answers from its roster and enrolment
(active with copay and deductible remaining, inactive after a lapse, AAA for an id it cannot
read or a member it does not know); the biller sets aside ineligible visits and bills the rest;
the structural check fails files that break the guide's structure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bench.synthetic import VisitFactory, synthetic_coded_encounters
from biller.adapters.reference import load_charge_master, load_payers, load_submitter
from biller.domain.eligibility import inquiry_270, read_271
from biller.domain.model import Reference
from biller.service_layer.eligibility import bill_checked, check
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.eligibility import Benefits, answer_271, read_270
from payer_sim.domain.model import Accumulator, Enrollment
from shared import x12
from shared.schemas import CodedEncounter
from shared.schemas.eligibility import TOPIC as ELIGIBILITY_TOPIC_CHECK
from shared.schemas.eligibility import EligibilityChecked, trace_number
from shared.x12_structure import check_270, check_271
from tests.unit.test_biller_handlers import FakeUnitOfWork

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
PAYERS = load_payers()
REF = load_reference()
REFERENCE = Reference(load_charge_master(), PAYERS, load_submitter())


def visits_of(payer: str, n: int = 4):  # type: ignore[no-untyped-def]
    factory = VisitFactory(seed=4, as_of=date(2026, 11, 27))
    return [v for v in factory.visits(60) if v.coverage and v.coverage.payer_id == payer][:n]


def test_the_270_is_valid_and_names_every_visit_by_its_trace() -> None:
    visits = visits_of("BLUEPEAK")
    text = inquiry_270(visits, PAYERS["BLUEPEAK"], load_submitter(), 7, NOW)
    assert check_270(text) == []
    read = read_270(text)
    by_trace = {i.trace_number: i for i in read.inquiries}
    assert sorted(by_trace) == sorted(trace_number(v.visit_id) for v in visits)
    assert all(by_trace[trace_number(v.visit_id)].service_date == v.service_date for v in visits)


def test_the_payer_answers_active_inactive_and_unknown_and_the_biller_reads_it_back() -> None:
    visits = visits_of("BLUEPEAK", 3)
    received = read_270(inquiry_270(visits, PAYERS["BLUEPEAK"], load_submitter(), 7, NOW))
    active, lapsed, unknown = (v.coverage.member_id for v in visits)  # type: ignore[union-attr]
    assert len({active, lapsed, unknown}) == 3
    benefits = {
        active: Benefits(Enrollment("BP-PPO", date(2020, 1, 1), None), Accumulator(10_000, 10_000)),
        lapsed: Benefits(Enrollment("BP-PPO", date(2020, 1, 1), date(2025, 12, 31)), None),
    }
    text = answer_271(received, REF.payers["BLUEPEAK"], benefits, 8, NOW)
    assert check_271(text) == []
    answers = read_271(text)
    got = [answers[trace_number(v.visit_id)] for v in visits]
    plan = REF.payers["BLUEPEAK"].plans["BP-PPO"]
    assert (got[0].status, got[0].plan_id) == ("active", "BP-PPO")
    assert got[0].copay_cents == plan.copay_cents["office"]
    assert got[0].deductible_remaining_cents == plan.deductible_cents - 10_000
    assert (got[1].status, got[1].plan_end) == ("inactive", date(2025, 12, 31))
    assert (got[2].status, got[2].rejection_code) == ("rejected", "75")
    assert [g.member_id for g in got] == [active, lapsed, unknown]


def test_a_member_id_the_payer_cannot_read_is_rejected_with_aaa_72() -> None:
    [visit] = visits_of("MEDICAID", 1)
    assert visit.coverage is not None
    visit.coverage.member_id = "ab-1"
    received = read_270(inquiry_270([visit], PAYERS["MEDICAID"], load_submitter(), 9, NOW))
    text = answer_271(received, REF.payers["MEDICAID"], {}, 9, NOW)
    assert check_271(text) == []
    [answer] = read_271(text).values()
    assert (answer.status, answer.rejection_code) == ("rejected", "72") and "ab-1" not in answer.reason


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lambda t: t.replace("SE*", "SE*9", 1), "SE01"),
        (lambda t: t.replace("HL*3*2*22", "HL*3*1*22", 1), "HL02"),
        (lambda t: t.replace("EB*1*IND", "EB*Q9*IND", 1), "EB01"),
        (lambda t: t.replace("DTP*346*D8*2020", "DTP*346*D8*2020-", 1), "DTP"),
        (lambda t: t.replace("GS*HB", "GS*HS", 1), "GS01"),
        (lambda t: t.replace("~\nNM1*IL", "~\nEQ*30~\nNM1*IL", 1), "not allowed here"),
    ],
)
def test_the_structural_check_fails_broken_271s(change, found: str) -> None:  # type: ignore[no-untyped-def]
    visits = visits_of("BLUEPEAK", 1)
    received = read_270(inquiry_270(visits, PAYERS["BLUEPEAK"], load_submitter(), 7, NOW))
    benefits = {received.inquiries[0].member_id: Benefits(Enrollment("BP-PPO", date(2020, 1, 1), None), None)}
    text = answer_271(received, REF.payers["BLUEPEAK"], benefits, 8, NOW)
    assert check_271(text) == []
    errors = check_271(change(text))
    assert errors and any(found in e for e in errors), errors


def coded(payer: str, n: int) -> list[CodedEncounter]:
    return synthetic_coded_encounters(visits_of(payer, n), NOW)


async def test_the_biller_sets_aside_an_ineligible_visit_and_bills_the_others() -> None:
    batch = coded("BLUEPEAK", 3)
    assert len(batch) == 3
    lapsed_member = batch[1].visit.coverage.member_id  # type: ignore[union-attr]
    asked: list[str] = []

    async def payer(payer_id: str, inquiry: str) -> str:
        asked.append(payer_id)
        received = read_270(inquiry)
        benefits = {
            i.member_id: Benefits(
                Enrollment("BP-PPO", date(2020, 1, 1), date(2025, 1, 1) if i.member_id == lapsed_member else None),
                None,
            )
            for i in received.inquiries
        }
        return answer_271(received, REF.payers[payer_id], benefits, 5, NOW)

    checks = await check(batch, REFERENCE, payer, NOW)
    assert asked == ["BLUEPEAK"]  # one inquiry for the batch
    uow = FakeEligibilityWork()
    billed, aside = await bill_checked(batch, checks, uow, REFERENCE, NOW)
    assert billed.outcomes[1] == "ineligible" and "ineligible" not in (billed.outcomes[0], billed.outcomes[2])
    assert [e.visit_id for e in aside] == [batch[1].visit_id]
    assert {c.visit_id for c in billed.sent} <= {batch[0].visit_id, batch[2].visit_id}
    assert [c.visit_id for c, _ in uow.eligibility.aside] == [batch[1].visit_id]
    assert len(uow.eligibility.kept) == 3
    emitted = [e.event for e in uow.events if e.topic == ELIGIBILITY_TOPIC_CHECK]
    assert {e.visit_id for e in emitted} == {c.visit_id for c in batch}  # type: ignore[attr-defined]


async def test_a_payer_that_cannot_be_asked_leaves_visits_unverified_and_billed() -> None:
    batch = coded("MEDICAID", 2)

    async def away(payer_id: str, inquiry: str) -> None:
        return None

    checks = await check(batch, REFERENCE, away, NOW)
    assert {c.answer.status for c in checks.values()} == {"unverified"}
    assert all(c.billable and c.x12_271 is None for c in checks.values())
    billed, aside = await bill_checked(batch, checks, FakeEligibilityWork(), REFERENCE, NOW)
    assert aside == [] and "ineligible" not in billed.outcomes


class FakeEligibility:
    def __init__(self) -> None:
        self.kept: dict[object, EligibilityChecked] = {}
        self.aside: list[tuple[CodedEncounter, EligibilityChecked]] = []

    async def billed_before(self, visit_ids: list[str]) -> set[str]:
        return set()

    async def record(self, checks: list[EligibilityChecked]) -> None:
        for c in checks:
            self.kept.setdefault(c.event_id, c)

    async def set_aside(self, items: list[tuple[CodedEncounter, EligibilityChecked]]) -> None:
        self.aside += items


class FakeEligibilityWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self.eligibility = FakeEligibility()


def test_the_x12_reader_splits_our_own_files() -> None:
    assert x12.read_segments("ST*270*0001~\nSE*2*0001~\n") == [["ST", "270", "0001"], ["SE", "2", "0001"]]
