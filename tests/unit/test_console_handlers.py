"""The console's projections against a fake unit of work: what each topic's batch records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from console.domain.remittance import Outcome, outcome
from console.service_layer import handlers
from console.service_layer.unit_of_work import Projections
from shared.schemas import Adjustment, ClaimSubmitted, CodedEncounter, CodingReviewRequested, RemittanceIssued
from shared.schemas.remittance import Payee, RemittanceLine


class FakeProjections:
    def __init__(self) -> None:
        self.remitted: list[tuple[RemittanceIssued, Outcome]] = []

    async def coded(self, events: list[CodedEncounter]) -> None: ...

    async def review_requested(self, events: list[CodingReviewRequested]) -> None: ...

    async def claims(self, events: list[ClaimSubmitted]) -> None: ...

    async def remittances(self, events: list[tuple[RemittanceIssued, Outcome]]) -> None:
        self.remitted += events


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.fake = FakeProjections()
        self.projections: Projections = self.fake


def remittance(status: str, paid: int, adjustments: list[Adjustment]) -> RemittanceIssued:
    charge = paid + sum(a.amount_cents for a in adjustments)
    line = RemittanceLine(line_control_number="C1-1", procedure_code="99213", units=1, charge_cents=charge,
                          allowed_cents=paid, paid_cents=paid, adjustments=adjustments)  # fmt: skip
    return RemittanceIssued(
        event_id=uuid.uuid4(), visit_id="V1", patient_id="P1", producer={"service": "payer-sim"},
        received_at=datetime(2026, 6, 1, tzinfo=UTC), claim_id="C1", claim_event_id=uuid.uuid4(),
        patient_control_number="C1", payer_id="AETNA", payer_claim_control_number="X1", claim_status_code=status,
        member_id="M1", patient_first_name="Ann", patient_last_name="Test",
        payee=Payee(npi="1234567893", name="Clinic", tax_id="123456789"), service_date=date(2026, 6, 1),
        adjudicated_on=date(2026, 6, 5), total_charge_cents=charge, paid_cents=paid,
        patient_responsibility_cents=sum(a.amount_cents for a in adjustments if a.group == "PR"),
        service_lines=[line],
    )  # fmt: skip


async def test_remittances_are_projected_with_their_outcome() -> None:
    paid = remittance("1", 8000, [Adjustment(group="CO", carc="45", amount_cents=1500),
                                  Adjustment(group="PR", carc="2", amount_cents=500)])  # fmt: skip
    denied = remittance("4", 0, [Adjustment(group="CO", carc="16", rarc="MA130", amount_cents=10000)])
    uow = FakeUnitOfWork()
    assert await handlers.project_remittances([paid, denied], uow) == ["paid", "denied"]
    first, second = (o for _, o in uow.fake.remitted)
    assert (first.contractual_cents, first.patient_cents, first.denied) == (1500, 500, False)
    assert second.denied and [a.carc for _, a in second.denials] == ["16"]


def test_a_line_denied_within_a_paid_claim_is_partially_paid() -> None:
    r = remittance("1", 0, [Adjustment(group="CO", carc="4", amount_cents=3000)])
    r.paid_cents = 100  # another line paid
    assert outcome(r).status == "partially paid"
