"""The coder against the hand-coded corpora (tests/unit/data/coding_corpus*.csv, docs/coding.md):
it never codes on its own what a person must decide, never auto-codes differently from the key,
and codes the clear-cut encounters without a person. v2 to v8 were written before the rules for
them (their baselines are in docs/coding.md); the floors keep the figures from falling back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.coding_report import CORPUS, Verdict, run, summarise

DATA = CORPUS.parent
# corpus -> the least share of its clear-cut encounters coded exactly right without a person
FLOORS = {
    "coding_corpus.csv": 0.95,
    "coding_corpus_generalisation.csv": 0.85,
    "coding_corpus_v2.csv": 0.95,
    "coding_corpus_v3.csv": 0.95,
    "coding_corpus_v4.csv": 0.9,
    "coding_corpus_v5.csv": 0.95,
    "coding_corpus_v6.csv": 0.95,
    "coding_corpus_v7.csv": 0.9,
    "coding_corpus_v8.csv": 0.95,
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def corpus(request: pytest.FixtureRequest) -> tuple[str, list[Verdict]]:
    name: str = request.param
    return name, run(Path(DATA / name))


def test_what_needs_a_person_goes_to_one(corpus: tuple[str, list[Verdict]]) -> None:
    _, verdicts = corpus
    coded_anyway = [v.case["id"] for v in verdicts if v.case["expected"] == "review" and v.outcome == "coded"]
    assert not coded_anyway


def test_nothing_auto_coded_differs_from_the_key(corpus: tuple[str, list[Verdict]]) -> None:
    _, verdicts = corpus
    wrong = [
        f"{v.case['id']}: {' '.join(v.diagnoses)} | {' '.join(v.lines)}"
        for v in verdicts
        if v.outcome == "coded" and not v.right
    ]
    assert not wrong


def test_clear_cut_encounters_are_coded_without_a_person(corpus: tuple[str, list[Verdict]]) -> None:
    name, verdicts = corpus
    assert summarise(verdicts)["all"]["clear_cut_coded_right"] >= FLOORS[name]
