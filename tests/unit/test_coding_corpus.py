"""The coder against the hand-coded corpus (tests/unit/data/coding_corpus.csv, docs/coding.md):
it never codes on its own what a person must decide, never auto-codes differently from the key,
and codes the clear-cut encounters without a person."""

from __future__ import annotations

import pytest

from bench.coding_report import Verdict, run, summarise


@pytest.fixture(scope="module")
def verdicts() -> list[Verdict]:
    return run()


def test_what_needs_a_person_goes_to_one(verdicts: list[Verdict]) -> None:
    coded_anyway = [v.case["id"] for v in verdicts if v.case["expected"] == "review" and v.outcome == "coded"]
    assert not coded_anyway


def test_nothing_auto_coded_differs_from_the_key(verdicts: list[Verdict]) -> None:
    wrong = [
        f"{v.case['id']}: {' '.join(v.diagnoses)} | {' '.join(v.lines)}"
        for v in verdicts
        if v.outcome == "coded" and not v.right
    ]
    assert not wrong


def test_clear_cut_encounters_are_coded_without_a_person(verdicts: list[Verdict]) -> None:
    assert summarise(verdicts)["all"]["clear_cut_coded_right"] >= 0.95
