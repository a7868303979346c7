"""Denials the biller corrects by itself, and the ones it leaves to people; line matching."""

from datetime import UTC, date, datetime

import pytest

from biller.domain.denials import correct
from biller.domain.posting import PostingError, match_lines, post
from payer_sim.domain.claims import Knobs, answer
from payer_sim.domain.model import Accumulator
from shared.schemas import Producer
from tests.unit.sample import make_claim
from tests.unit.test_adjudication import REF, history

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)


def answered(claim):  # type: ignore[no-untyped-def]
    [remittance] = answer(
        claim, REF, Accumulator(50_000), history(), knobs=Knobs(), producer=Producer(service="payer-sim"),
        adjudicated_on=date(2026, 11, 27),
    ).remittances  # fmt: skip
    return remittance


def test_missing_modifier_25_is_added_and_resubmitted_as_a_replacement() -> None:
    claim = make_claim([("99214", 21_500), ("20610", 16_500)], payer_id="TESTPAYER", plan_id="P1",
                       prior_authorization="PA1")  # fmt: skip
    remittance = answered(claim)
    assert post(claim, remittance).denial_carcs == ["4"]
    fix = correct(claim, remittance, corrections_so_far=0, now=NOW)
    assert fix is not None
    new = fix.replacement
    assert new.frequency_code == "7"
    assert new.payer_claim_control_number == remittance.payer_claim_control_number
    assert new.service_lines[0].modifiers == ["25"] and claim.service_lines[0].modifiers == []
    assert new.claim_id == claim.claim_id and new.event_id != claim.event_id
    assert "CARC 4" in fix.reason
    # the payer no longer denies the corrected claim
    assert post(new, answered(new)).denials == []


@pytest.mark.parametrize("lines", [[("17110", 10_000)], [("20610", 16_500)]])  # CO-96 / CO-197: for a person
def test_other_denials_go_to_the_work_queue(lines) -> None:  # type: ignore[no-untyped-def]
    claim = make_claim(lines, payer_id="TESTPAYER", plan_id="P1")
    remittance = answered(claim)
    assert post(claim, remittance).denials
    assert correct(claim, remittance, corrections_so_far=0, now=NOW) is None


def test_one_automatic_correction_then_people() -> None:
    claim = make_claim([("99214", 21_500), ("20610", 16_500)], payer_id="TESTPAYER", plan_id="P1",
                       prior_authorization="PA1")  # fmt: skip
    assert correct(claim, answered(claim), corrections_so_far=1, now=NOW) is None


def test_lines_match_by_ref_6r_or_by_code_when_the_payer_dropped_it() -> None:
    claim = make_claim([("99214", 21_500), ("36415", 1_800)], payer_id="TESTPAYER", plan_id="P1")
    remittance = answered(claim)
    remittance.service_lines[1].line_control_number = ""  # the payer dropped REF*6R and the modifier
    remittance.service_lines[1].modifiers = []
    assert match_lines(claim, remittance.service_lines) == [ln.line_control_number for ln in claim.service_lines]
    remittance.service_lines[1].procedure_code = "99999"
    with pytest.raises(PostingError, match="matches no claim line"):
        post(claim, remittance)


def test_a_batch_is_split_so_each_claim_is_posted_against_its_latest_state() -> None:
    from biller.service_layer.handlers import one_per_claim

    a = answered(make_claim([("99999", 20_000)], payer_id="TESTPAYER", plan_id="P1"))
    b = answered(make_claim([("99999", 10_000)], payer_id="TESTPAYER", plan_id="P1", prior_authorization="X"))
    b = b.model_copy(update={"patient_control_number": "OTHER"})
    parts = one_per_claim([a, b, a, a])
    assert [[r.patient_control_number for r in p] for p in parts] == [
        [a.patient_control_number, "OTHER"], [a.patient_control_number], [a.patient_control_number]]  # fmt: skip
