"""The review form's checks made while the coder types: billable codes, pointers, modifiers."""

from __future__ import annotations

from console.domain.coding_form import normalise, read_form


def test_a_category_is_not_billable_and_names_its_codes() -> None:
    form = read_form({"coder": "A", "dx1": "m545", "cpt1": "99213", "ptr1": "1"})
    assert "not billable" in form.problems["dx1"] and "M54.50" in form.problems["dx1"]


def test_pointers_must_point_at_listed_diagnoses_once() -> None:
    form = read_form({"coder": "A", "dx1": "M54.50", "cpt1": "99213", "ptr1": "1,2"})
    assert set(form.problems) == {"ptr1"}
    assert set(read_form({"coder": "A", "dx1": "M54.50", "cpt1": "99213", "ptr1": "1,1"}).problems) == {"ptr1"}


def test_a_good_form_becomes_the_coders_decision() -> None:
    form = read_form({"coder": "A", "dx1": "M54.50", "dx2": "g43009", "cpt1": "99213", "mod1": "25",
                      "units1": "1", "ptr1": "1 2", "cpt2": "", "dx3": ""})  # fmt: skip
    assert form.ok, form.problems
    assert form.decision() == {"coder": "A", "diagnoses": ["M54.50", "G43.009"], "service_lines": [
        {"procedure_code": "99213", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1, 2]}]}  # fmt: skip


def test_bad_procedure_modifier_units_and_missing_coder() -> None:
    form = read_form({"dx1": "Z00.00", "cpt1": "9921", "mod1": "LEFT", "units1": "0", "ptr1": "1"})
    assert set(form.problems) == {"coder", "cpt1", "mod1", "units1"}
    assert normalise(" e11.9 ") == "E11.9"
