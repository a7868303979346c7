"""The biller's use cases against a fake unit of work: in-memory repositories with the same
idempotency as the Postgres ones, events collected instead of published. No database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from biller.adapters.reference import load_reference
from biller.domain.claim_validation import validate_837_each
from biller.domain.model import BillingDecision, PayerInfo, Reference
from biller.service_layer import handlers
from biller.service_layer.ports import PostingToRecord
from shared import ids
from shared.schemas import CLAIMS, ClaimSubmitted, CodedEncounter, Producer, RemittanceIssued
from shared.unit_of_work import EventCollector
from tests.unit.sample import make_claim, make_visit
from tests.unit.test_denials import answered

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)
# The payer of the payer-sim's test tables, known to the biller too, so corrections render.
REFERENCE: Reference = replace(
    load_reference(),
    payers={**load_reference().payers, "TESTPAYER": PayerInfo("TESTPAYER", "Test Payer", "TST01")},
)


class FakeClaims:
    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}  # visit id -> outcome
        self.claims: dict[str, tuple[ClaimSubmitted, int, str]] = {}  # claim id -> (claim, corrections, status)

    async def record_decisions(self, items: list[tuple[CodedEncounter, BillingDecision]]) -> list[list[ClaimSubmitted]]:
        out = []
        for coded, decision in items:
            if coded.visit_id in self.outcomes:
                out.append([c for c, _, s in self.claims.values() if c.visit_id == coded.visit_id and s != "rejected"])
                continue
            self.outcomes[coded.visit_id] = decision.outcome
            for claim in decision.claims:
                self.claims[claim.claim_id] = (claim, 0, "submitted")
            for claim, _ in decision.rejected:
                self.claims[claim.claim_id] = (claim, 0, "rejected")
            out.append(decision.claims)
        return out

    async def find_claims(self, patient_control_numbers: list[str]) -> dict[str, tuple[ClaimSubmitted, int]]:
        return {p: self.claims[p][:2] for p in patient_control_numbers if p in self.claims}


class FakePostings:
    def __init__(self, claims: FakeClaims) -> None:
        self._claims = claims
        self.caused: dict[uuid.UUID, list[ClaimSubmitted]] = {}  # posted remittance -> corrections it caused
        self.exceptions: dict[uuid.UUID, str] = {}

    async def record_postings(
        self, postings: list[PostingToRecord], exceptions: list[tuple[RemittanceIssued, str]]
    ) -> list[tuple[bool, list[ClaimSubmitted]]]:
        for remittance, reason in exceptions:
            self.exceptions.setdefault(remittance.event_id, reason)
        out: list[tuple[bool, list[ClaimSubmitted]]] = []
        for remittance, posting, fix in postings:
            if remittance.event_id in self.caused:
                out.append((False, self.caused[remittance.event_id]))
                continue
            claim, corrections, _ = self._claims.claims[remittance.claim_id]
            self._claims.claims[remittance.claim_id] = (
                (fix[0], corrections + 1, "submitted") if fix else (claim, corrections, posting.status)
            )
            self.caused[remittance.event_id] = [fix[0]] if fix else []
            out.append((True, self.caused[remittance.event_id]))
        return out


class FakeUnitOfWork(EventCollector):
    def __init__(self) -> None:
        super().__init__()
        self.claims = FakeClaims()
        self.postings = FakePostings(self.claims)

    def sent(self) -> list[ClaimSubmitted]:
        assert all(o.topic == CLAIMS for o in self.events)
        return [o.event for o in self.events if isinstance(o.event, ClaimSubmitted)]


def coded(visit_id: str = "V-UNIT-1", **visit_overrides: object) -> CodedEncounter:
    visit = make_visit(visit_id=visit_id, **visit_overrides)
    return CodedEncounter.model_validate({
        "event_id": ids.event_id("coded", visit_id), "visit_id": visit_id, "patient_id": visit.patient.id,
        "producer": Producer(service="test"), "received_at": NOW, "visit": visit, "coder_version": "test",
        "place_of_service": "11",
        "diagnoses": [{"code": "I10", "description": "Essential hypertension", "source": "supplied", "confidence": 1}],
        "service_lines": [
            {"procedure_code": "99214", "units": 1, "diagnosis_pointers": [1], "source": "em-rules"},
            {"procedure_code": "36415", "units": 1, "diagnosis_pointers": [1], "source": "supplied"},
        ],
    })  # fmt: skip


async def test_a_covered_encounter_becomes_one_claim_on_the_topic_with_its_837() -> None:
    uow = FakeUnitOfWork()
    billed = await handlers.bill_encounters([coded()], uow, REFERENCE, NOW)
    assert billed.outcomes == ["claimed"]
    [claim] = uow.sent()
    assert claim.total_charge_cents == 215_00 + 18_00  # charge master prices
    assert claim.x12_837 is not None and claim.x12_837.startswith("ISA*")
    assert uow.claims.claims[claim.claim_id][2] == "submitted"


async def test_a_redelivered_encounter_resends_the_same_claim_and_records_nothing_new() -> None:
    uow = FakeUnitOfWork()
    await handlers.bill_encounters([coded()], uow, REFERENCE, NOW)
    again = FakeUnitOfWork()
    again.claims, again.postings = uow.claims, uow.postings
    billed = await handlers.bill_encounters([coded()], again, REFERENCE, NOW.replace(hour=11))
    assert [c.event_id for c in again.sent()] == [c.event_id for c in uow.sent()]
    assert len(uow.claims.claims) == 1 and billed.outcomes == ["claimed"]


async def test_self_pay_and_unpriced_encounters_send_no_claim() -> None:
    uow = FakeUnitOfWork()
    unpriced = coded("V-UNIT-3")
    unpriced.service_lines[1].procedure_code = "0001U"
    billed = await handlers.bill_encounters([coded("V-UNIT-2", coverage=None), unpriced], uow, REFERENCE, NOW)
    assert billed.outcomes == ["self_pay", "not_billable"]
    assert uow.events == []
    assert billed.decisions[0].self_pay_cents == 129_00 + 10_80  # the self-pay prices


async def test_a_remittance_is_posted_once_and_a_redelivery_is_a_duplicate() -> None:
    uow = FakeUnitOfWork()
    claim = make_claim([("99213", 15_000)], payer_id="TESTPAYER", plan_id="P1")
    uow.claims.claims[claim.claim_id] = (claim, 0, "submitted")
    remittance = answered(claim)
    posted = await handlers.post_remittances([remittance], uow, REFERENCE, NOW)
    assert posted.outcomes == [uow.claims.claims[claim.claim_id][2]]
    assert posted.outcomes[0] in {"paid", "partially_paid", "denied"}
    assert [r.event_id for r, _ in posted.postings] == [remittance.event_id]
    again = await handlers.post_remittances([remittance], uow, REFERENCE, NOW)
    assert again.outcomes == ["duplicate"] and again.postings == [] and uow.events == []


async def test_a_fixable_denial_sends_a_replacement_and_a_redelivery_resends_the_same_one() -> None:
    uow = FakeUnitOfWork()
    claim = make_claim([("99214", 21_500), ("20610", 16_500)], payer_id="TESTPAYER", plan_id="P1",
                       prior_authorization="PA1")  # fmt: skip
    uow.claims.claims[claim.claim_id] = (claim, 0, "submitted")
    remittance = answered(claim)
    posted = await handlers.post_remittances([remittance], uow, REFERENCE, NOW)
    [replacement] = uow.sent()
    assert replacement.frequency_code == "7" and replacement.service_lines[0].modifiers == ["25"]
    assert replacement.x12_837 is not None
    assert posted.sent == [replacement]
    assert uow.claims.claims[claim.claim_id][:2] == (replacement, 1)
    uow.events = []
    await handlers.post_remittances([remittance], uow, REFERENCE, NOW)
    assert [c.event_id for c in uow.sent()] == [replacement.event_id]


async def test_an_unmatched_remittance_is_kept_as_an_exception() -> None:
    uow = FakeUnitOfWork()
    remittance = answered(make_claim([("99213", 15_000)], payer_id="TESTPAYER", plan_id="P1"))
    posted = await handlers.post_remittances([remittance], uow, REFERENCE, NOW)
    assert posted.outcomes == ["exception"]
    assert uow.postings.exceptions == {remittance.event_id: "matches no claim (CLP01)"}


async def test_a_batch_checked_at_once_rejects_only_the_claim_pyx12_finds_invalid() -> None:
    async def one_city_too_long(x12_texts: list[str]) -> list[list[str]]:
        # the real validator over the batch, with the second claim's billing city past N401's 30
        x12_texts[1] = x12_texts[1].replace("N4*", "N4*" + "X" * 40, 1)
        return validate_837_each(x12_texts)

    batch = [coded("V-UNIT-4"), coded("V-UNIT-5"), coded("V-UNIT-6")]
    decisions = await handlers.decide_batch(batch, REFERENCE, NOW, one_city_too_long)
    uow = FakeUnitOfWork()
    billed = await handlers.bill_encounters(batch, uow, REFERENCE, NOW, decisions)
    assert billed.outcomes == ["claimed", "rejected", "claimed"]
    assert [c.visit_id for c in uow.sent()] == ["V-UNIT-4", "V-UNIT-6"]
    [(kept, reasons)] = decisions[1].rejected
    assert kept.x12_837 is None and any("N401" in r and "too long" in r for r in reasons), reasons
    assert uow.claims.outcomes["V-UNIT-5"] == "rejected"
