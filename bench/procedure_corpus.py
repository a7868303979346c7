"""Service-line side of the coder against a hand-coded corpus (tests/unit/data/coding_corpus.csv layout):
per group, encounters coded without a person, how many of those carry exactly the expected lines (codes,
modifiers, units, in order), encounters a person must see that were sent to one, and those sent to a
person for a procedure / E/M reason although the answer key codes them.

    .venv/bin/python bench/procedure_corpus.py [corpus.csv] [--show]

A figure, not a test: the corpus is maintained apart from the engine."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit

DIAGNOSIS_REASONS = ("dx", "icd")
DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "unit" / "data" / "coding_corpus.csv"


def _items(cell: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for item in filter(None, cell.split("|")):
        if item.startswith("code:"):
            code, _, units = item[5:].partition("x")
            out.append({"code": code, **({"units": int(units)} if units.isdigit() else {})})
        else:
            out.append({"text": item})
    return out


def _lines(result: CodingResult) -> list[str]:
    return ["-".join([ln.procedure_code, *ln.modifiers]) + (f"x{ln.units}" if ln.units > 1 else "")
            for ln in result.service_lines]  # fmt: skip


def _visit(case: dict[str, str]):  # type: ignore[no-untyped-def]
    patient = {**make_visit().patient.model_dump(mode="json"), "birth_date": case["birth_date"],
               "sex": case["sex"] or "F"}  # fmt: skip
    coverage = None
    if case["payer"]:
        coverage = {"payer_id": case["payer"], "member_id": "ZZT000111", "relationship": "self",
                    "effective_date": case["coverage_effective"] or None}  # fmt: skip
    number = lambda v: int(v) if v else None  # noqa: E731
    return make_visit(visit_id=f"V-{case['id']}", patient=patient, coverage=coverage,
                      service_date=case["service_date"], visit_type=case["visit_type"], patient_status=case["status"],
                      total_minutes=number(case["minutes"]), mdm=case["mdm"] or None,
                      problem_minutes=number(case["problem_minutes"]), problem_mdm=case["problem_mdm"] or None,
                      last_wellness_visit=case["last_wellness"] or None, diagnoses=_items(case["diagnoses"]),
                      procedures=_items(case["procedures"]))  # fmt: skip


def main(argv: list[str]) -> None:
    paths = [a for a in argv if not a.startswith("--")]
    corpus = Path(paths[0]) if paths else DEFAULT
    with corpus.open(newline="") as fh:
        cases = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    tables = load_tables()
    groups: dict[str, Counter[str]] = {}
    shown: list[str] = []
    for case in cases:
        result = code_visit(_visit(case), tables)
        tally = groups.setdefault(case["group"], Counter())
        tally["encounters"] += 1
        lines_right = _lines(result) == case["expected_lines"].split()
        ours = [r for r in result.review_reasons if not r.code.startswith(DIAGNOSIS_REASONS)]
        if case["expected"] == "review":
            tally["person needed"] += 1
            tally["sent to a person"] += result.needs_review
            if not result.needs_review:
                shown.append(f"{case['id']} not sent to a person: {_lines(result)}")
            continue
        tally["codable"] += 1
        if not result.needs_review:
            tally["auto-coded"] += 1
            tally["lines exact"] += lines_right
            if not lines_right:
                shown.append(f"{case['id']} lines {_lines(result)} expected {case['expected_lines']}")
        elif ours:
            tally["sent for a line reason"] += 1
            shown.append(f"{case['id']} to a person: " + "; ".join(r.code for r in ours))
    columns = ["encounters", "codable", "auto-coded", "lines exact", "sent for a line reason", "person needed",
               "sent to a person"]  # fmt: skip
    print(f"{'group':18}" + "".join(f"{c:>{len(c) + 2}}" for c in columns))
    total: Counter[str] = Counter()
    for group, tally in sorted(groups.items()):
        total.update(tally)
        print(f"{group:18}" + "".join(f"{tally[c]:>{len(c) + 2}}" for c in columns))
    print(f"{'all':18}" + "".join(f"{total[c]:>{len(c) + 2}}" for c in columns))
    if "--show" in argv:
        print("\n".join(shown))


if __name__ == "__main__":
    main(sys.argv[1:])
