"""Loads the diagnosis tables (services/coder/coder/data): phrasings, abbreviations, history and
status codes, integral symptoms, diabetes combinations and the additional codes combinations need."""

from __future__ import annotations

import csv
from pathlib import Path

from coder.domain.clinical_text import normalise
from coder.domain.text_index import DiagnosisData, DiagnosisIndex


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _codes(cell: str) -> tuple[str, ...]:
    return tuple(cell.split())


def _prefixes(cell: str) -> tuple[str, ...]:
    return tuple(filter(None, cell.split(";")))


def _phrase(text: str) -> str:
    """A phrase normalised; a trailing "*" (any words may follow) is kept."""
    return normalise(text) + (" *" if text.rstrip().endswith("*") else "")


def load_diagnosis_data(data_dir: Path) -> DiagnosisData:
    phrases = {_phrase(r["phrase"]): _codes(r["code"]) for r in _rows(data_dir / "diagnosis_phrases.csv")}
    abbreviations: dict[str, str] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for r in _rows(data_dir / "clinical_abbreviations.csv"):
        if r["meaning"].startswith("?"):  # several meanings: the provider says which
            ambiguous[normalise(r["abbreviation"])] = tuple(m.strip() for m in r["meaning"][1:].split("|"))
        else:
            abbreviations[normalise(r["abbreviation"])] = normalise(r["meaning"])
    by_kind: dict[str, dict[str, tuple[str, ...]]] = {"history": {}, "status": {}, "family": {}}
    for r in _rows(data_dir / "history_status.csv"):
        by_kind[r["kind"]][normalise(r["phrase"])] = _codes(r["code"])
    integral = tuple((r["diagnosis"], r["symptom"]) for r in _rows(data_dir / "integral_symptoms.csv"))
    combinations = _rows(data_dir / "combination_rules.csv")
    diabetes = tuple((r["code"], r["result"], r["keep"] == "yes") for r in combinations if r["kind"] == "diabetes")
    needs = tuple((r["code"], _prefixes(r["needs"]), _codes(r["result"])) for r in combinations if r["kind"] == "needs")
    pairs = tuple((r["code"], r["needs"], _codes(r["result"]), r["keep"] == "yes")
                  for r in combinations if r["kind"] == "pair")  # fmt: skip
    contradictory = tuple((r["code"], r["needs"]) for r in combinations if r["kind"] == "contradictory")
    return DiagnosisData(phrases, abbreviations, by_kind["history"], by_kind["status"], by_kind["family"], integral,
                         diabetes, needs, pairs, contradictory, ambiguous)  # fmt: skip


def load_diagnosis_index(data_dir: Path) -> DiagnosisIndex:
    return DiagnosisIndex(load_diagnosis_data(data_dir))
