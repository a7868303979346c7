"""Posting the payer simulator's own answers: status, patient share by kind, reversals."""

from datetime import date

import pytest

from biller.domain.posting import PostingError, post
from payer_sim.domain.claims import Knobs, answer
from payer_sim.domain.model import Accumulator, PriorAdjudication
from shared import ids
from shared.schemas import Adjustment, ClaimSubmitted, Producer, RemittanceIssued
from tests.unit.sample import make_claim
from tests.unit.test_adjudication import REF, history

PAYER = Producer(service="payer-sim")


def remit(claim: ClaimSubmitted, met: int = 50_000, **hist) -> list[RemittanceIssued]:  # type: ignore[no-untyped-def]
    result = answer(
        claim, REF, Accumulator(met), history(**hist), knobs=Knobs(), producer=PAYER, adjudicated_on=date(2026, 11, 27)
    )
    return result.remittances


def claim(lines, **kw) -> ClaimSubmitted:  # type: ignore[no-untyped-def]
    return make_claim(lines, **{"payer_id": "TESTPAYER", "plan_id": "P1", **kw})


def test_paid_claim_posts_patient_share_by_kind() -> None:
    c = claim([("99999", 20_000)])
    [remittance] = remit(c, met=45_000)
    posting = post(c, remittance)
    assert posting.status == "paid"
    assert posting.paid_cents == 5_600
    assert posting.patient_by_kind == {"deductible": 5_000, "coinsurance": 1_400, "copay": 0, "other": 0}
    assert posting.adjustment_cents == 8_000
    assert posting.paid_cents + posting.patient_cents + posting.adjustment_cents == c.total_charge_cents


def test_partly_denied_claim_is_partially_paid() -> None:
    c = claim([("17110", 1_000), ("99999", 20_000)])
    posting = post(c, remit(c)[0])
    assert posting.status == "partially_paid"
    assert posting.denial_carcs == ["96"]


def test_denied_claim() -> None:
    c = claim([("99999", 20_000)], termination_date="2026-01-31")
    posting = post(c, remit(c)[0])
    assert posting.status == "denied" and posting.denial_carcs == ["27"]


def test_replacement_reverses_then_answers_again_and_void_only_reverses() -> None:
    original = claim([("99999", 20_000)])
    [first] = remit(original, met=45_000)
    prior = PriorAdjudication(first, deductible_cents=5_000, out_of_pocket_cents=6_400)
    replacement = original.model_copy(
        update={"frequency_code": "7", "event_id": ids.event_id("test-replacement"), "payer_claim_control_number": "X"}
    )
    result = answer(
        replacement, REF, Accumulator(50_000, 6_400), history(prior=prior), knobs=Knobs(), producer=PAYER,
        adjudicated_on=date(2026, 11, 27),
    )  # fmt: skip
    reversal, again = result.remittances
    assert reversal.claim_status_code == "22" and reversal.reverses == first.payer_claim_control_number
    assert reversal.paid_cents == -5_600 and reversal.total_charge_cents == -20_000 and reversal.balances
    # the accumulators are put back before the claim is adjudicated again: same answer as the first time
    assert again.paid_cents == 5_600 and again.claim_status_code == "1"
    assert (result.accumulator.deductible_met_cents, result.accumulator.out_of_pocket_met_cents) == (50_000, 6_400)
    assert post(original, reversal).status == "reversed"

    void = original.model_copy(update={"frequency_code": "8", "event_id": ids.event_id("test-void")})
    voided = answer(
        void, REF, Accumulator(50_000, 6_400), history(prior=prior), knobs=Knobs(), producer=PAYER,
        adjudicated_on=date(2026, 11, 27),
    )  # fmt: skip
    assert [r.claim_status_code for r in voided.remittances] == ["22"]
    assert voided.standing is None
    assert (voided.accumulator.deductible_met_cents, voided.accumulator.out_of_pocket_met_cents) == (45_000, 0)


def test_duplicate_original_is_denied_oa_18_and_the_first_answer_stands() -> None:
    c = claim([("99999", 20_000)])
    [first] = remit(c)
    prior = PriorAdjudication(first, 0, 0)
    again = c.model_copy(update={"event_id": ids.event_id("test-resent")})
    result = answer(
        again, REF, Accumulator(50_000), history(prior=prior), knobs=Knobs(), producer=PAYER,
        adjudicated_on=date(2026, 11, 27),
    )  # fmt: skip
    assert result.remittances[0].service_lines[0].adjustments[0].carc == "18"
    assert result.standing is prior


def test_unbalanced_remittance_is_refused() -> None:
    c = claim([("99999", 20_000)])
    [remittance] = remit(c)
    remittance.service_lines[0].adjustments.append(Adjustment(group="OA", carc="23", amount_cents=1))
    with pytest.raises(PostingError, match="does not balance"):
        post(c, remittance)
