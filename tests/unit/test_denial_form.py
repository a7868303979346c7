"""The console's denial form read into the biller's request: only what differs is sent."""

from __future__ import annotations

from console.domain.denial_form import read_denial_form

LINES = [
    {"line_number": 1, "procedure_code": "99213", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1]},
    {"line_number": 2, "procedure_code": "20610", "modifiers": [], "units": 1, "diagnosis_pointers": [1, 2]},
]
SIGNED = {"worked_by": "Pat Biller", "reason": "authorization obtained"}


def test_a_correction_sends_only_what_changed() -> None:
    form = {**SIGNED, "action": "correct", "prior_authorization": " PA-1 ", "mod1": "25", "ptr1": "1",
            "units1": "1", "mod2": "rt", "ptr2": "1, 2", "units2": "2"}  # fmt: skip
    read = read_denial_form(form, LINES)
    assert read.ok, read.errors
    assert read.request == {
        **SIGNED,
        "action": "correct",
        "prior_authorization": "PA-1",
        "lines": [{"line_number": 2, "modifiers": ["RT"], "units": 2}],
    }


def test_write_off_carries_no_claim_changes_even_if_fields_were_typed() -> None:
    read = read_denial_form({**SIGNED, "action": "write_off", "prior_authorization": "PA-1", "mod2": "RT"}, LINES)
    assert read.ok and read.request == {**SIGNED, "action": "write_off"}


def test_unsigned_unexplained_or_malformed_forms_are_refused_with_the_field() -> None:
    read = read_denial_form({"action": "correct", "ptr1": "one", "units2": "x"}, LINES)
    assert set(read.errors) == {"worked_by", "reason", "ptr1", "units2"}
    assert "action" in read_denial_form({**SIGNED, "action": "refund"}, LINES).errors
