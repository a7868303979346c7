"""The payer-sim's use case against a fake unit of work (in-memory repositories, collected events):
batch order per member, redelivery, a replacement in the same batch as its original, a void of
nothing known."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import date, datetime

from biller.adapters.reference import load_submitter
from biller.domain.claims import render_837
from biller.domain.model import PayerInfo
from payer_sim.domain.claims import Knobs
from payer_sim.domain.model import (
    Accumulator,
    AdjudicationRecord,
    Booking,
    Enrollment,
    LineKey,
    Member,
    MemberDay,
    MemberYear,
    PaidLine,
    PriorAdjudication,
)
from payer_sim.service_layer.handlers import adjudicate_claims
from shared import ids
from shared.schemas import ACKNOWLEDGMENTS, REMITTANCES, ClaimAcknowledged, ClaimSubmitted, RemittanceIssued
from shared.unit_of_work import EventCollector
from tests.unit.test_adjudication import REF, claim

TODAY = date(2026, 11, 27)


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[Member, Enrollment] = {}

    async def enroll(self, first_seen: dict[Member, Enrollment]) -> dict[Member, Enrollment]:
        for member, enrollment in first_seen.items():
            self.rows.setdefault(member, enrollment)
        return {m: self.rows[m] for m in first_seen}


class FakeAccumulators:
    def __init__(self) -> None:
        self.rows: dict[MemberYear, Accumulator] = {}

    async def lock(self, plans: dict[MemberYear, str]) -> dict[MemberYear, Accumulator]:
        return {k: dataclasses.replace(self.rows.setdefault(k, Accumulator())) for k in plans}

    async def save(self, accumulators: dict[MemberYear, Accumulator]) -> None:
        self.rows.update(accumulators)


class FakeRemittances:
    def __init__(self) -> None:
        self.rows: list[RemittanceIssued] = []

    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[RemittanceIssued]]:
        wanted = set(claim_event_ids)
        sent: dict[uuid.UUID, list[RemittanceIssued]] = {}
        for r in self.rows:
            if r.claim_event_id in wanted:
                sent.setdefault(r.claim_event_id, []).append(r)
        return sent

    async def for_export(self, payer_id: str | None, since: datetime | None) -> list[RemittanceIssued]:
        return [r for r in self.rows if payer_id is None or r.payer_id == payer_id]

    async def next_interchange_number(self) -> int:
        return 1


class FakeAdjudications:
    def __init__(self, remittances: FakeRemittances) -> None:
        self.records: list[AdjudicationRecord] = []
        self.lines: list[tuple[PaidLine, bool]] = []  # line, active
        self._remittances = remittances

    async def standing(self, claim_ids: Iterable[str]) -> dict[str, tuple[uuid.UUID, PriorAdjudication]]:
        by_id = {r.event_id: r for r in self._remittances.rows}
        wanted = set(claim_ids)
        return {
            a.claim_id: (a.claim_event_id, PriorAdjudication(by_id[a.answer_event_id], a.deductible_cents,
                                                             a.out_of_pocket_cents))
            for a in self.records
            if a.active and a.claim_id in wanted and a.answer_event_id is not None
        }  # fmt: skip

    async def paid_lines(self, member_days: Iterable[MemberDay]) -> dict[Member, dict[LineKey, str]]:
        wanted = set(member_days)
        paid: dict[Member, dict[LineKey, str]] = {}
        for line, active in self.lines:
            if active and (line.key[0], line.key[1], line.service_date) in wanted:
                paid.setdefault((line.key[0], line.key[1]), {})[line.key] = line.claim_id
        return paid

    async def record(self, booking: Booking) -> None:
        gone = set(booking.taken_back)
        self.records = [dataclasses.replace(a, active=a.active and a.claim_event_id not in gone) for a in self.records]
        self.lines = [(ln, active and ln.claim_event_id not in gone) for ln, active in self.lines]
        self.records += booking.adjudications
        self.lines += [(ln, True) for ln in booking.paid_lines]
        self._remittances.rows += booking.remittances


class FakeAcknowledgments:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, ClaimAcknowledged] = {}

    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ClaimAcknowledged]:
        return {i: self.rows[i] for i in claim_event_ids if i in self.rows}

    async def record(self, acknowledgments: list[ClaimAcknowledged]) -> None:
        for a in acknowledgments:
            self.rows.setdefault(a.claim_event_id, a)


class FakeUnitOfWork(EventCollector):
    def __init__(self) -> None:
        super().__init__()
        self.acknowledgments = FakeAcknowledgments()
        self.members = FakeMembers()
        self.accumulators = FakeAccumulators()
        self.remittances = FakeRemittances()
        self.adjudications = FakeAdjudications(self.remittances)


def submission(lines: list[tuple[str, int]], n: int, frequency: str = "1", **kw) -> ClaimSubmitted:  # type: ignore[no-untyped-def]
    """Claim number n of the one test member, sent as submission `frequency`."""
    base = claim(lines, **kw)
    claim_id = f"{base.claim_id}-{n}"
    sent = base.model_copy(
        update={"claim_id": claim_id, "patient_control_number": claim_id, "frequency_code": frequency,
                "event_id": ids.event_id("test-claim", claim_id, frequency)}
    )  # fmt: skip
    return with_837(sent)


def with_837(c: ClaimSubmitted) -> ClaimSubmitted:
    """The claim with the 837P the biller would send (the payer's front end reads it)."""
    return render_837(c, PayerInfo(c.payer_id, "Test Payer", c.payer_id), load_submitter())


async def run(batch: list[ClaimSubmitted], uow: FakeUnitOfWork) -> tuple[list[str], list[RemittanceIssued]]:
    uow.events = []
    outcomes = await adjudicate_claims(batch, uow, REF, Knobs(), TODAY)
    assert {e.topic for e in uow.events} <= {REMITTANCES, ACKNOWLEDGMENTS}
    acknowledged = [e.event for e in uow.events if e.topic == ACKNOWLEDGMENTS]
    assert [a.claim_event_id for a in acknowledged] == [c.event_id for c in batch]  # type: ignore[attr-defined]
    return outcomes, [e.event for e in uow.events if e.topic == REMITTANCES]  # type: ignore[misc]


def member_year(c: ClaimSubmitted) -> MemberYear:
    return (c.payer_id, c.coverage.member_id, c.service_date.year)


async def test_a_members_second_claim_in_a_batch_sees_what_the_first_left_of_the_deductible() -> None:
    first = submission([("99214", 21_500)], 1)  # allowed $100
    second = submission([("93000", 3_000)], 2)  # allowed $16
    uow = FakeUnitOfWork()
    uow.accumulators.rows[member_year(first)] = Accumulator(45_000, 45_000)  # $50 of the $500 deductible left

    outcomes, sent = await run([first, second], uow)

    assert outcomes == ["processed", "processed"]
    a, b = sent
    assert (a.claim_id, b.claim_id) == (first.claim_id, second.claim_id)
    # first: $50 deductible, 20 % of the other $50; second: no deductible left, 20 % of $16
    assert (a.patient_responsibility_cents, a.paid_cents) == (6_000, 4_000)
    assert (b.patient_responsibility_cents, b.paid_cents) == (320, 1_280)
    assert uow.accumulators.rows[member_year(first)] == Accumulator(50_000, 45_000 + 6_000 + 320)
    assert [r.claim_event_id for r in uow.remittances.rows] == [first.event_id, second.event_id]
    assert all(rec.active for rec in uow.adjudications.records)


async def test_the_same_two_claims_in_the_other_order_share_the_deductible_the_other_way() -> None:
    first = submission([("99214", 21_500)], 1)
    second = submission([("93000", 3_000)], 2)
    uow = FakeUnitOfWork()
    uow.accumulators.rows[member_year(first)] = Accumulator(45_000, 45_000)

    _, (b, a) = await run([second, first], uow)

    assert (b.patient_responsibility_cents, b.paid_cents) == (1_600, 0)  # all $16 toward the deductible
    assert (a.patient_responsibility_cents, a.paid_cents) == (3_400 + 1_320, 5_280)  # $34 left, 20 % of $66


async def test_a_redelivered_batch_is_answered_with_the_stored_remittances_and_books_nothing_new() -> None:
    batch = [submission([("99214", 21_500)], 1), submission([("36415", 1_800)], 2)]
    uow = FakeUnitOfWork()
    outcomes, sent = await run(batch, uow)
    accumulators = dict(uow.accumulators.rows)

    again, resent = await run(batch, uow)

    assert again == outcomes
    assert [r.event_id for r in resent] == [r.event_id for r in sent]
    assert len(uow.remittances.rows) == 2 and len(uow.adjudications.records) == 2
    assert uow.accumulators.rows == accumulators


async def test_a_replacement_in_the_same_batch_takes_back_the_original_and_answers_again() -> None:
    original = submission([("99214", 21_500)], 1)
    replacement = original.model_copy(
        update={"frequency_code": "7", "event_id": ids.event_id("test-replacement", original.claim_id)}
    )
    uow = FakeUnitOfWork()
    uow.accumulators.rows[member_year(original)] = Accumulator(50_000, 50_000)  # deductible met

    outcomes, sent = await run([original, replacement], uow)

    assert outcomes == ["processed", "processed"]
    answer, reversal, again = sent
    assert reversal.claim_status_code == "22" and reversal.reverses == answer.payer_claim_control_number
    assert answer.paid_cents == 8_000 and reversal.paid_cents == -8_000
    assert again.claim_status_code == "1" and again.paid_cents == 8_000  # not denied as a duplicate of itself
    # taken back, then applied again: the member's totals are where the first answer left them
    assert uow.accumulators.rows[member_year(original)] == Accumulator(50_000, 52_000)
    assert [(r.claim_event_id, r.active) for r in uow.adjudications.records] == [
        (original.event_id, False),
        (replacement.event_id, True),
    ]
    # only the replacement's line is remembered as paid: billed again, it is a duplicate
    assert [(ln.claim_event_id, active) for ln, active in uow.adjudications.lines] == [(replacement.event_id, True)]


async def test_a_void_of_a_claim_never_answered_is_denied() -> None:
    void = submission([("99214", 21_500)], 1, frequency="8")
    uow = FakeUnitOfWork()

    outcomes, [remittance] = await run([void], uow)

    assert outcomes == ["denied"]
    assert remittance.claim_status_code == "4" and remittance.paid_cents == 0
    [record] = uow.adjudications.records
    assert record.answer_event_id is None and not record.active
    assert uow.accumulators.rows[member_year(void)] == Accumulator()


async def test_a_line_paid_before_is_a_duplicate_on_the_same_day_only() -> None:
    uow = FakeUnitOfWork()
    await run([submission([("36415", 1_800)], 1)], uow)
    same_day = submission([("36415", 1_800)], 2)
    next_day = submission([("36415", 1_800)], 3)
    next_day = next_day.model_copy(
        update={"service_lines": [ln.model_copy(update={"service_date": date(2026, 11, 21)})
                                  for ln in next_day.service_lines]}
    )  # fmt: skip

    outcomes, (duplicate, paid) = await run([same_day, next_day], uow)

    assert outcomes == ["denied", "processed"]
    assert [(a.group, a.carc) for a in duplicate.service_lines[0].adjustments] == [("OA", "18")]
    assert paid.service_lines[0].allowed_cents > 0
