"""`rcm bench coder-golden`: the coding engine's output pinned byte for byte, so a change meant only
to make it faster (caches, precomputed tables) is proved to change no result.

The visits: every hand-coded corpus in tests/unit/data and a few thousand synthetic visits from a
fixed seed and date. Each visit's whole result (place of service, diagnoses, lines, review reasons,
code sets) is serialised and hashed; the digests live in tests/unit/data/coder_golden.json and
tests/unit/test_coder_golden.py compares against them. A change that is meant to alter coding (a
rule) rewrites the file with `--write`, and its diff says how many visits it changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date

import typer

from bench.coding_report import CORPUS, read_corpus, visit_of
from coder.domain.model import CodingResult, ReferenceTables
from shared.schemas import Visit

DATA = CORPUS.parent
GOLDEN = DATA / "coder_golden.json"
SYNTHETIC_VISITS = 3000
SYNTHETIC_SEED = 11
SYNTHETIC_AS_OF = date(2026, 11, 20)  # fixed: the factory's default is today, which would move the digests


def _case_as_corpus_row(case: dict[str, str]) -> dict[str, str]:
    """coding_cases.csv has fewer columns than the corpora; the missing ones take the corpora's blanks."""
    blank = dict.fromkeys(("sex", "coverage_effective", "problem_minutes", "problem_mdm", "last_wellness"), "")
    return {**blank, **case, "service_date": "2026-11-20"}


def golden_visits() -> Iterator[tuple[str, Visit]]:
    """(key, visit) for every visit the golden check covers, in a fixed order."""
    from bench.synthetic import VisitFactory

    for path in sorted(DATA.glob("coding_c*.csv")):
        rows = read_corpus(path)
        for row in rows:
            case = _case_as_corpus_row(row) if path.name == "coding_cases.csv" else row
            yield f"{path.stem}:{row['id']}", visit_of(case)
    factory = VisitFactory(seed=SYNTHETIC_SEED, as_of=SYNTHETIC_AS_OF)
    for n, visit in enumerate(factory.visits(SYNTHETIC_VISITS)):
        yield f"synthetic:{n}", visit


def result_bytes(result: CodingResult) -> bytes:
    """The whole result as bytes: every field, models in their JSON form."""
    return json.dumps(
        {
            "place_of_service": result.place_of_service,
            "diagnoses": [d.model_dump(mode="json") for d in result.diagnoses],
            "service_lines": [s.model_dump(mode="json") for s in result.service_lines],
            "review_reasons": [r.model_dump(mode="json") for r in result.review_reasons],
            "code_sets": result.code_sets,
            "stale_code_sets": result.stale_code_sets,
        },
        sort_keys=True,
    ).encode()


def digests(tables: ReferenceTables | None = None) -> dict[str, str]:
    from coder.adapters.reference import load_tables
    from coder.domain.coding import code_visit

    tables = tables or load_tables()
    return {
        key: hashlib.sha256(result_bytes(code_visit(visit, tables))).hexdigest()[:16] for key, visit in golden_visits()
    }


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Keys whose digest differs, or that one side lacks."""
    return sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))


def coder_golden(
    write: bool = typer.Option(False, "--write", help="record the current results (after a deliberate rule change)"),
) -> None:
    """Check the coding engine's results against the recorded digests (or record them with --write)."""
    actual = digests()
    if write:
        GOLDEN.write_text(json.dumps(actual, indent=0, sort_keys=True) + "\n")
        typer.echo(f"{len(actual)} results recorded in {GOLDEN}")
        return
    changed = differences(json.loads(GOLDEN.read_text()), actual)
    listed = ": " + " ".join(changed[:40]) if changed else ""
    typer.echo(f"{len(actual)} visits, {len(changed)} results differ{listed}")
    raise typer.Exit(1 if changed else 0)
