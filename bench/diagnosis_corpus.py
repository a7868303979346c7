"""Diagnosis side of the coder against a hand-coded corpus (tests/unit/data/coding_corpus.csv
layout): per group, how many encounters the diagnosis rules settle without a person, and how
many of those carry exactly the expected diagnoses (first-listed exact, the rest as a set).

    .venv/bin/python bench/diagnosis_corpus.py [corpus.csv] [--show]

A figure, not a test: the corpus is maintained apart from the engine."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit

DX_REASONS = ("dx", "icd")


def _items(cell: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for item in filter(None, cell.split("|")):
        if item.startswith("code:"):
            code, _, units = item[5:].partition("x")
            out.append({"code": code, **({"units": int(units)} if units.isdigit() else {})})
        else:
            out.append({"text": item})
    return out


def visit_of(row: dict[str, str]):  # type: ignore[no-untyped-def]
    patient = {**make_visit().patient.model_dump(mode="json"), "birth_date": row["birth_date"],
               "sex": row["sex"] or "U"}  # fmt: skip
    coverage = None
    if row["payer"]:
        coverage = {"payer_id": row["payer"], "member_id": "ZZT000111", "relationship": "self",
                    "effective_date": row["coverage_effective"] or None}  # fmt: skip
    return make_visit(
        visit_id=f"V-CORPUS-{row['id']}", patient=patient, coverage=coverage, service_date=row["service_date"],
        visit_type=row["visit_type"], patient_status=row["status"],
        total_minutes=int(row["minutes"]) if row["minutes"] else None, mdm=row["mdm"] or None,
        problem_minutes=int(row["problem_minutes"]) if row["problem_minutes"] else None,
        problem_mdm=row["problem_mdm"] or None, last_wellness_visit=row["last_wellness"] or None,
        diagnoses=_items(row["diagnoses"]), procedures=_items(row["procedures"]),
    )  # fmt: skip


def main(path: Path, show: bool) -> None:
    tables = load_tables()
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    tally: Counter[tuple[str, str]] = Counter()
    for row in rows:
        result = code_visit(visit_of(row), tables)
        dx_reasons = [r for r in result.review_reasons if r.code.startswith(DX_REASONS)]
        got, want = [d.code for d in result.diagnoses], row["expected_dx"].split()
        right = bool(got) and got[:1] == want[:1] and set(got) == set(want)
        outcome = "review" if dx_reasons else "auto-right" if right else "auto-wrong"
        expected = "dx-coded" if row["expected"] == "coded" or right else "dx-review?"
        for group in (row["group"], "ALL"):
            tally[(group, outcome)] += 1
            tally[(group, expected)] += 1
        if show and outcome != "auto-right" and (row["expected"] == "coded" or outcome == "auto-wrong"):
            print(f"{row['id']} {row['group']}: {row['diagnoses']!r} want {want} got {got} "
                  f"{[(r.code, r.message[:90]) for r in dx_reasons]}")  # fmt: skip
    groups = sorted({g for g, _ in tally}, key=lambda g: (g == "ALL", g))
    print(f"{'group':18} {'rows':>5} {'auto':>5} {'right':>6} {'wrong':>6} {'review':>7}")
    for g in groups:
        auto = tally[(g, "auto-right")] + tally[(g, "auto-wrong")]
        total = auto + tally[(g, "review")]
        print(f"{g:18} {total:5} {auto:5} {tally[(g, 'auto-right')]:6} {tally[(g, 'auto-wrong')]:6} "
              f"{tally[(g, 'review')]:7}")  # fmt: skip


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(Path(args[0] if args else "tests/unit/data/coding_corpus.csv"), "--show" in sys.argv)
