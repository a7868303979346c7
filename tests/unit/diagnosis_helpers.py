"""Shared helpers for the diagnosis tests: code a visit from documented diagnosis entries."""

from __future__ import annotations

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.model import CodingResult
from tests.unit.sample import make_visit

TABLES = load_tables()


def code(*entries: str, **visit: object) -> CodingResult:
    """Entries are documented text, or "code:X" for a supplied code."""
    diagnoses = [{"code": e[5:]} if e.startswith("code:") else {"text": e} for e in entries]
    return code_visit(make_visit(diagnoses=diagnoses, procedures=[], **visit), TABLES)


def dx(*entries: str, **visit: object) -> list[str]:
    return [d.code for d in code(*entries, **visit).diagnoses]


def reasons(*entries: str) -> list[str]:
    return [r.code for r in code(*entries).review_reasons if r.code.startswith(("dx", "icd"))]
