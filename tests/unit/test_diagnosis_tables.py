"""The diagnosis data tables: big enough, each with its source, and every code billable in FY2026."""

import csv
from pathlib import Path

import pytest

from coder.domain import icd10

DATA = Path(__file__).resolve().parents[2] / "services" / "coder" / "coder" / "data"
TABLES = ["diagnosis_phrases.csv", "clinical_abbreviations.csv", "history_status.csv", "integral_symptoms.csv",
          "combination_rules.csv"]  # fmt: skip


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@pytest.mark.parametrize("name", TABLES)
def test_each_table_names_its_source(name: str) -> None:
    header = [line for line in (DATA / name).read_text().splitlines() if line.startswith("#")]
    assert any("source" in line.lower() for line in header)


def test_the_phrase_table_holds_at_least_400_phrasings() -> None:
    assert len(rows("diagnosis_phrases.csv")) + len(rows("clinical_abbreviations.csv")) >= 400
    assert len(rows("diagnosis_phrases.csv")) >= 400


@pytest.mark.parametrize(("name", "column"), [("diagnosis_phrases.csv", "code"), ("history_status.csv", "code")])
def test_every_code_in_the_tables_is_billable_in_fy2026(name: str, column: str) -> None:
    bad = [(r["phrase"], c) for r in rows(name) for c in r[column].split() if not icd10.is_billable(c)]
    assert bad == []


def test_combination_results_and_choices_are_billable() -> None:
    for r in rows("combination_rules.csv"):
        if r["kind"] == "diabetes":
            for category in ("E10", "E11"):
                assert icd10.is_code(category + r["result"]), (category, r)
        else:
            assert all(icd10.is_billable(c) for c in r["result"].split()), r


def test_integral_symptoms_name_real_codes() -> None:
    for r in rows("integral_symptoms.csv"):
        assert icd10.is_code(r["diagnosis"]) and icd10.is_code(r["symptom"]), r
