"""Loads the coder's reference tables from services/coder/coder/data."""

from __future__ import annotations

import csv
import hashlib
from functools import lru_cache
from pathlib import Path

from coder.domain.model import CatalogEntry, EditPair, ReferenceTables
from coder.domain.text_index import DiagnosisIndex, normalise_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(data_dir: Path, name: str) -> list[dict[str, str]]:
    with (data_dir / name).open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@lru_cache(maxsize=4)
def load_tables(data_dir: Path = DATA_DIR) -> ReferenceTables:
    """The coder's tables from a data folder (the shipped one by default; `rcm recode --tables`
    points at another to see what a change to a table would do)."""
    files = sorted(data_dir.glob("*.csv"))
    fingerprint = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:10]
    phrases = {normalise_text(r["phrase"]): r["code"] for r in _rows(data_dir, "diagnosis_phrases.csv")}
    procedure_phrases: dict[str, str] = {}
    catalog: dict[str, CatalogEntry] = {}
    for row in _rows(data_dir, "procedure_catalog.csv"):
        catalog[row["code"]] = CatalogEntry(
            code=row["code"],
            label=row["label"],
            default_units=int(row["default_units"] or 1),
            global_days=row["global_days"] or "XXX",
            supports=tuple(filter(None, row["supports"].split(";"))),
        )
        for phrase in filter(None, row["phrases"].split("|")):
            procedure_phrases[normalise_text(phrase)] = row["code"]
    pairs = tuple(
        EditPair(r["column1"], r["column2"], int(r["modifier_indicator"])) for r in _rows(data_dir, "edit_pairs.csv")
    )
    return ReferenceTables(
        diagnosis_index=DiagnosisIndex(phrases),
        procedure_phrases=procedure_phrases,
        catalog=catalog,
        edit_pairs=pairs,
        version=fingerprint,
    )
