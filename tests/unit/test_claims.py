"""A clean draft claim is checked against the claim contract before it is sent."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from biller.domain.claims import contract_checked
from shared.schemas import ClaimLine, ClaimSubmitted
from tests.unit.sample import make_claim


def draft_of(claim: ClaimSubmitted, **changes: object) -> ClaimSubmitted:
    """As the biller assembles it: built without validation."""
    fields = {**vars(claim), **changes}
    fields["service_lines"] = [ClaimLine.model_construct(**vars(ln)) for ln in claim.service_lines]
    return ClaimSubmitted.model_construct(**fields)


def test_a_clean_draft_comes_out_as_the_same_claim() -> None:
    claim = make_claim([("99214", 21_500), ("36415", 1_800)])
    checked = contract_checked(draft_of(claim))
    assert checked == claim
    assert checked.model_dump_json() == claim.model_dump_json()


@pytest.mark.parametrize(
    "changes",
    [{"total_charge_cents": 1}, {"diagnoses": []}, {"frequency_code": "9"}, {"patient_control_number": "X" * 39}],
)
def test_a_draft_that_breaks_the_contract_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        contract_checked(draft_of(make_claim([("99214", 21_500)]), **changes))


def test_a_line_that_breaks_the_contract_is_refused() -> None:
    claim = make_claim([("99214", 21_500)])
    draft = draft_of(claim)
    draft.service_lines[0].diagnosis_pointers = []
    with pytest.raises(ValidationError):
        contract_checked(draft)
