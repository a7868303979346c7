import pytest

from rcmflow.biller.domain.posting import PostingError, post
from rcmflow.payer_sim.domain.adjudication import adjudicate
from rcmflow.payer_sim.domain.model import Accumulator
from rcmflow.shared import ids
from rcmflow.shared.schemas import Adjustment, Producer, RemittanceIssued
from tests.unit.sample import make_claim
from tests.unit.test_adjudication import FEES, TERMS


def remit(claim, result) -> RemittanceIssued:  # type: ignore[no-untyped-def]
    return RemittanceIssued(
        event_id=ids.event_id("remittance", claim.event_id),
        visit_id=claim.visit_id,
        patient_id=claim.patient_id,
        producer=Producer(service="test"),
        received_at=claim.received_at,
        claim_id=claim.claim_id,
        claim_event_id=claim.event_id,
        patient_control_number=claim.patient_control_number,
        payer_id=claim.payer_id,
        payer_claim_control_number="TES123",
        claim_status_code=result.claim_status_code,
        total_charge_cents=claim.total_charge_cents,
        paid_cents=result.paid_cents,
        patient_responsibility_cents=result.patient_cents,
        service_lines=result.lines,
    )


def test_paid_claim_posts_patient_share_by_kind() -> None:
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    posting = post(claim, remit(claim, adjudicate(claim, TERMS, FEES, Accumulator(45_000))))
    assert posting.status == "paid"
    assert posting.paid_cents == 5_600
    assert posting.patient_by_kind == {"deductible": 5_000, "coinsurance": 1_400, "copay": 0, "other": 0}
    assert posting.adjustment_cents == 8_000
    assert posting.paid_cents + posting.patient_cents + posting.adjustment_cents == claim.total_charge_cents


def test_partly_denied_claim_is_partially_paid() -> None:
    claim = make_claim([("12345", 1_000), ("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    posting = post(claim, remit(claim, adjudicate(claim, TERMS, FEES, Accumulator(50_000))))
    assert posting.status == "partially_paid"
    assert posting.denial_carcs == ["96"]


def test_denied_claim() -> None:
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1", termination_date="2026-01-31")
    posting = post(claim, remit(claim, adjudicate(claim, TERMS, FEES, Accumulator())))
    assert posting.status == "denied" and posting.denial_carcs == ["27"]


def test_unbalanced_remittance_is_refused() -> None:
    claim = make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1")
    remittance = remit(claim, adjudicate(claim, TERMS, FEES, Accumulator(50_000)))
    remittance.service_lines[0].adjustments.append(Adjustment(group="OA", carc="23", amount_cents=1))
    with pytest.raises(PostingError, match="does not balance"):
        post(claim, remittance)
