"""Claim status (276/277 005010X212): the biller's 276 and the payer's 277 are structurally valid,
the payer answers each claim from its state (paid, denied, pending, rejected at the front end, not
found) and the biller reads the answers back by patient control number."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bench.synthetic import VisitFactory, synthetic_claims
from biller.adapters.reference import load_charge_master, load_payers, load_submitter
from biller.domain.claim_status import inquiry_276, read_277
from biller.domain.model import Reference
from biller.service_layer.claim_status import ask_status
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.claim_status import ClaimState, answer_277, read_276
from shared.x12_structure import check_276, check_277

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
PAYERS = load_payers()
REFERENCE = Reference(load_charge_master(), PAYERS, load_submitter())
DAY = date(2026, 11, 27)
ALL_CLAIMS = synthetic_claims(VisitFactory(seed=3, as_of=DAY).visits(80), today=DAY)
CLAIMS = [c for c in ALL_CLAIMS if c.payer_id == "BLUEPEAK"][:5]
STATES = {
    CLAIMS[0].patient_control_number: ClaimState("F1", "65", None, CLAIMS[0].total_charge_cents, 12_34,
                                                 date(2026, 11, 20), "BLU1"),
    CLAIMS[1].patient_control_number: ClaimState("F2", "88", None, CLAIMS[1].total_charge_cents, 0, None, "BLU2"),
    CLAIMS[2].patient_control_number: ClaimState("P1", "20", None, CLAIMS[2].total_charge_cents, None, None, "BLU3"),
    CLAIMS[3].patient_control_number: ClaimState("A7", "562", "85", CLAIMS[3].total_charge_cents),
}  # fmt: skip


async def payer(payer_id: str, inquiry: str) -> str:
    return answer_277(read_276(inquiry), payer_id, load_reference().payers[payer_id], STATES, 3, NOW)


async def test_each_claim_is_answered_from_the_payers_state_and_read_back() -> None:
    assert len(CLAIMS) == 5
    found = await ask_status(CLAIMS, REFERENCE, payer, NOW)
    by_claim = {a.patient_control_number: a for a, _, _ in found}
    assert [(by_claim[c.patient_control_number].category, by_claim[c.patient_control_number].status)
            for c in CLAIMS] == [("F1", "65"), ("F2", "88"), ("P1", "20"), ("A7", "562"), ("D0", "35")]  # fmt: skip
    first = by_claim[CLAIMS[0].patient_control_number]
    assert first.paid_cents == 12_34 and first.payer_claim_control_number == "BLU1" and not first.pending
    assert by_claim[CLAIMS[2].patient_control_number].pending
    assert by_claim[CLAIMS[3].patient_control_number].entity == "85"
    _, sent, got = found[0]
    assert check_276(sent) == [] and check_277(got) == []


async def test_a_payer_that_cannot_be_asked_gives_no_answers() -> None:
    async def away(payer_id: str, inquiry: str) -> None:
        return None

    assert await ask_status(CLAIMS, REFERENCE, away, NOW) == []


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lambda t: t.replace("STC*F1:65", "STC*F1", 1), "STC01"),
        (lambda t: t.replace("HL*4*3*22", "HL*4*2*22", 1), "HL02"),
        (lambda t: t.replace("ST*277*0001*005010X212", "ST*277*0001*005010X214", 1), "ST01/ST03"),
        (lambda t: t.replace("BHT*0010*08", "BHT*0010*13", 1), "BHT"),
    ],
)
def test_the_structural_check_fails_broken_277s(change, found: str) -> None:  # type: ignore[no-untyped-def]
    text = answer_277(read_276(inquiry_276(CLAIMS[:1], PAYERS["BLUEPEAK"], load_submitter(), 4, NOW)), "BLUEPEAK",
                      None, STATES, 3, NOW)  # fmt: skip
    assert check_277(text) == []
    errors = check_277(change(text))
    assert errors and any(found in e for e in errors), errors
    assert read_277(text)[CLAIMS[0].patient_control_number].category == "F1"
