"""`rcm bench coding`: the coder measured against a hand-coded corpus (tests/unit/data/
coding_corpus.csv, the answer key a certified coder wrote from the guidelines).

Per group of rules: how many encounters the engine coded without a person, how many of those
were exactly right (first-listed diagnosis, the diagnosis set, every line with its modifiers and
units), how many it sent to review, and how many that needed a person it coded anyway. The
figures go to docs/coding.md."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from bench.measure import report
from shared.cli.output import print_json, print_table
from shared.schemas import Visit

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "unit" / "data" / "coding_corpus.csv"
PROVIDER = {"npi": "1234567893", "first_name": "Lee", "last_name": "Sample", "taxonomy": "207Q00000X"}
FACILITY = {"npi": "1245319599", "name": "Springfield Family Medicine", "tax_id": "371234567", "place_of_service": "11"}


def read_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def documented(items: str) -> Iterator[dict[str, Any]]:
    """`code:X` (with `xN` units for procedures) is a supplied code; anything else documented text."""
    for item in filter(None, (i.strip() for i in items.split("|"))):
        if not item.startswith("code:"):
            yield {"text": item}
            continue
        code, _, units = item[5:].partition("x")
        yield {"code": code, **({"units": int(units)} if units.isdigit() else {})}


def visit_of(case: dict[str, str]) -> Visit:
    coverage = None
    if case["payer"]:
        coverage = {"payer_id": case["payer"], "member_id": "ZZT000111", "relationship": "self",
                    "effective_date": case["coverage_effective"] or None}  # fmt: skip
    return Visit.model_validate({
        "visit_id": f"V-CORPUS-{case['id']}",
        "patient": {"id": f"P-CORPUS-{case['id']}", "first_name": "Testa", "last_name": "Example",
                    "birth_date": case["birth_date"], "sex": case["sex"] or "U"},
        "coverage": coverage, "provider": PROVIDER, "facility": FACILITY,
        "service_date": case["service_date"], "visit_type": case["visit_type"], "patient_status": case["status"],
        "total_minutes": int(case["minutes"]) if case["minutes"] else None, "mdm": case["mdm"] or None,
        "problem_minutes": int(case["problem_minutes"]) if case["problem_minutes"] else None,
        "problem_mdm": case["problem_mdm"] or None, "last_wellness_visit": case["last_wellness"] or None,
        "diagnoses": [d for d in documented(case["diagnoses"]) if "units" not in d],
        "procedures": list(documented(case["procedures"])),
    })  # fmt: skip


def rendered_lines(result: Any) -> list[str]:
    return [
        "-".join([line.procedure_code, *line.modifiers]) + (f"x{line.units}" if line.units > 1 else "")
        for line in result.service_lines
    ]


@dataclass
class Verdict:
    case: dict[str, str]
    outcome: str  # coded | review
    right: bool  # coded and exactly as the key, or review when the key says review
    diagnoses: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def judge(case: dict[str, str], result: Any) -> Verdict:
    if result.needs_review:
        reasons = [f"{r.code}: {r.message}" for r in result.review_reasons]
        return Verdict(case, "review", case["expected"] == "review", reasons=reasons)
    dx = [d.code for d in result.diagnoses]
    lines = rendered_lines(result)
    want_dx, want_lines = case["expected_dx"].split(), case["expected_lines"].split()
    exact = (
        case["expected"] == "coded"
        and dx[:1] == want_dx[:1]
        and sorted(dx) == sorted(want_dx)
        and Counter(lines) == Counter(want_lines)
    )
    return Verdict(case, "coded", exact, dx, lines)


def run(path: Path = CORPUS) -> list[Verdict]:
    from coder.adapters.reference import load_tables
    from coder.domain.coding import code_visit

    tables = load_tables()
    return [judge(case, code_visit(visit_of(case), tables)) for case in read_corpus(path)]


def summarise(verdicts: list[Verdict]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[v.case["group"]].append(v)
    groups["all"] = verdicts
    out: dict[str, dict[str, float]] = {}
    for name, vs in groups.items():
        clear = [v for v in vs if v.case["expected"] == "coded"]
        needs_person = [v for v in vs if v.case["expected"] == "review"]
        auto = [v for v in vs if v.outcome == "coded"]
        out[name] = {
            "encounters": len(vs),
            "auto_coded_share": round(len(auto) / len(vs), 3) if vs else 0.0,
            "auto_coded_accuracy": round(sum(v.right for v in auto) / len(auto), 3) if auto else 1.0,
            "review_share": round(sum(v.outcome == "review" for v in vs) / len(vs), 3) if vs else 0.0,
            "clear_cut_coded_right": round(sum(v.right for v in clear) / len(clear), 3) if clear else 1.0,
            "needs_person_sent_to_review": round(sum(v.right for v in needs_person) / len(needs_person), 3)
            if needs_person
            else 1.0,
        }
    return out


def coding(
    corpus: Path = typer.Option(CORPUS, "--corpus", help="CSV in the corpus layout"),
    misses: bool = typer.Option(False, "--misses", help="list every encounter the engine got wrong"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The coder against the hand-coded corpus: auto-coded share, accuracy and review share by rule group."""
    verdicts = run(corpus)
    figures = summarise(verdicts)
    if as_json:
        print_json(figures)
        return
    columns = ("group", "encounters", "auto-coded", "auto-coded right", "to review", "clear-cut right", "review caught")
    rows = [(g, *(f"{v:.1%}" if isinstance(v, float) else v for v in f.values())) for g, f in sorted(figures.items())]
    print_table(f"coder vs. {corpus.name}", columns, rows, right=columns[1:])
    if misses:
        wrong = [v for v in verdicts if not v.right]
        print_table(f"{len(wrong)} encounters coded differently from the key",
                    ("id", "group", "expected", "engine"),
                    [(v.case["id"], v.case["group"],
                      f"{v.case['expected']}: {v.case['expected_dx']} | {v.case['expected_lines']}",
                      f"{v.outcome}: {' '.join(v.diagnoses)} | {' '.join(v.lines)} {'; '.join(v.reasons)}")
                     for v in wrong])  # fmt: skip
    report("rcm bench coding", {k: v for k, v in figures["all"].items()})
