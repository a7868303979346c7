"""A person working a denied claim: what each action makes, and what is refused (pure; the
Postgres path and the HTTP API are in tests/integration/test_denial_work.py)."""

from __future__ import annotations

import pytest

from biller.domain.denial_work import DenialWork, StandingClaim, ValidationError, WorkRefused, plan_work
from biller.domain.posting import post
from shared.schemas import Producer
from tests.unit.sample import make_claim
from tests.unit.test_biller_handlers import REFERENCE
from tests.unit.test_denials import NOW, answered

PRODUCER = Producer(service="biller")


def denied_for_authorization() -> tuple[StandingClaim, str]:
    """A claim the payer denied CO-197 (no prior authorization for 20610), as the biller holds it."""
    claim = make_claim([("20610", 16_500)], payer_id="TESTPAYER", plan_id="P1")
    remittance = answered(claim)
    posting = post(claim, remittance)
    assert posting.denial_carcs == ["197"]
    denied = sum(a.amount_cents for _, a in posting.denials)
    return StandingClaim(claim, posting.status, remittance.payer_claim_control_number, denied), "197"


def work(standing: StandingClaim, **fields: object):  # type: ignore[no-untyped-def]
    request = DenialWork.model_validate({"worked_by": "Pat Biller", "reason": "auth on file", **fields})
    return plan_work(standing, request, REFERENCE.payers["TESTPAYER"], REFERENCE.submitter, PRODUCER, NOW)


def test_a_correction_with_the_authorization_is_a_valid_replacement_the_payer_pays() -> None:
    standing, _ = denied_for_authorization()
    done = work(standing, action="correct", prior_authorization="AUTH-7781")
    new = done.replacement
    assert new is not None and new.frequency_code == "7"
    assert new.payer_claim_control_number == standing.payer_claim_control_number
    assert new.prior_authorization == "AUTH-7781" and standing.claim.prior_authorization is None
    assert new.x12_837 is not None and "REF*G1*AUTH-7781" in new.x12_837 and "REF*F8*" in new.x12_837
    assert done.worked.action == "correct" and done.worked.replacement_claim_event_id == new.event_id
    assert done.worked.denied_cents == standing.denied_cents > 0
    # the payer's answer to the replacement pays the line
    assert post(new, answered(new)).denials == []


def test_line_changes_apply_to_the_named_line_only() -> None:
    claim = make_claim([("99213", 12_000), ("20610", 16_500)], payer_id="TESTPAYER", plan_id="P1",
                       diagnoses=["M17.11", "I10"])  # fmt: skip
    standing = StandingClaim(claim, "partially_paid", "TST0001", 16_500)
    new = work(
        standing, action="correct", lines=[{"line_number": 2, "modifiers": ["RT"], "diagnosis_pointers": [1, 2]}]
    )
    assert new.replacement is not None
    first, second = new.replacement.service_lines
    assert first == claim.service_lines[0]
    assert second.modifiers == ["RT"] and second.diagnosis_pointers == [1, 2]


def test_write_off_and_appeal_change_no_claim() -> None:
    standing, _ = denied_for_authorization()
    off = work(standing, action="write_off")
    assert off.replacement is None and off.worked.written_off_cents == standing.denied_cents
    appeal = work(standing, action="appeal")
    assert appeal.replacement is None and appeal.worked.written_off_cents == 0
    assert len({off.worked.event_id, appeal.worked.event_id}) == 2
    # the same action on the same submission is the same event (a second click books nothing new)
    assert work(standing, action="appeal").worked.event_id == appeal.worked.event_id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": "write_off", "prior_authorization": "X1"}, "action"),  # only a correction changes the claim
        ({"action": "correct", "lines": [{"line_number": 9, "units": 2}]}, "lines.9"),
        ({"action": "correct", "lines": [{"line_number": 1, "diagnosis_pointers": [3]}]}, "claim"),  # S12
    ],
)
def test_refusals_name_the_field(fields: dict, field: str) -> None:
    standing, _ = denied_for_authorization()
    with pytest.raises(WorkRefused) as refused:
        work(standing, **fields)
    assert refused.value.field == field


def test_nothing_to_work_on_a_paid_claim() -> None:
    standing, _ = denied_for_authorization()
    paid = StandingClaim(standing.claim, "paid", standing.payer_claim_control_number, 0)
    with pytest.raises(WorkRefused) as refused:
        work(paid, action="write_off")
    assert refused.value.status == 409


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "correct", "prior_authorization": "AUTH*1~"},  # X12 delimiters
        {"action": "correct", "diagnoses": ["not a code"]},
        {"action": "correct", "lines": [{"line_number": 1, "modifiers": ["2"]}]},
        {"action": "refund"},
        {"action": "appeal", "worked_by": ""},
    ],
)
def test_malformed_requests_are_refused_before_anything_runs(fields: dict) -> None:
    with pytest.raises(ValidationError):
        DenialWork.model_validate({"worked_by": "Pat Biller", "reason": "r", **fields})
