"""Loads the diagnosis tables (services/coder/coder/data): phrasings, abbreviations, history and
status codes, integral symptoms, diabetes combinations and the additional codes combinations need."""

from __future__ import annotations

import copyreg
import csv
import hashlib
import logging
import pickle
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import coder.domain
from coder.adapters.code_set_cache import keep_pickle, no_collection
from coder.domain.clinical_text import normalise
from coder.domain.description_words import stem
from coder.domain.spelling import Speller
from coder.domain.text_index import DiagnosisData, DiagnosisIndex
from shared.settings import get_settings

log = logging.getLogger(__name__)


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
    screening = {normalise(r["target"]): r["code"] for r in _rows(data_dir / "screening_targets.csv")}
    return DiagnosisData(phrases, abbreviations, by_kind["history"], by_kind["status"], by_kind["family"], integral,
                         diabetes, needs, pairs, contradictory, ambiguous, screening)  # fmt: skip


def load_diagnosis_index(data_dir: Path) -> DiagnosisIndex:
    """The index over the tables and every ICD-10-CM description. Building it is most of the
    coder's start-up (~10 s quiet, 40 s on a busy machine: docs/reliability.md), so a built one
    is kept in RCM_DATA_DIR, named by a digest of all it is built from — the tables, the coder's
    domain code, the code set's library and Python — and read back by the next start; anything
    changed builds (and keeps) a new one. Only with CODER_INDEX_CACHE=1 (as services.sh runs it)."""
    data = load_diagnosis_data(data_dir)
    if not get_settings().coder_index_cache:
        return DiagnosisIndex(data)
    path = Path(get_settings().data_dir) / f"coder-index-{_index_key(data_dir)}.pickle"
    try:
        with path.open("rb") as f, no_collection():
            index = pickle.load(f)  # written by this code into the service's own 0700 folder
        if isinstance(index, DiagnosisIndex):
            return index
    except FileNotFoundError:
        pass
    except Exception as exc:  # a torn or foreign file: built anew below and replaced
        log.warning("coder index cache unreadable (%s); building the index", type(exc).__name__)
    index = DiagnosisIndex(data)
    keep_pickle(path, index, "coder index")
    return index


LOOKUP_CACHES = ("speller", "_cache", "list_cache")


def _index_state(index: DiagnosisIndex) -> tuple[Any, ...]:
    """What a kept index holds: everything built; the speller by its words (its frequency reads
    the postings), the lookup caches not at all (they start empty)."""
    state = {k: v for k, v in index.__dict__.items() if k not in LOOKUP_CACHES}
    return _restored_index, (state, index.speller.words)


def _restored_index(state: dict[str, Any], speller_words: list[str]) -> DiagnosisIndex:
    index = DiagnosisIndex.__new__(DiagnosisIndex)
    index.__dict__.update(state)
    index.speller = Speller(speller_words, lambda w: len(index.postings.get(stem(w), ())))
    index._cache, index.list_cache = {}, {}
    return index


copyreg.pickle(DiagnosisIndex, _index_state)


def _index_key(data_dir: Path) -> str:
    digest = hashlib.sha256(f"{sys.version}|{metadata.version('simple-icd-10-cm')}".encode())
    domain = Path(coder.domain.__file__).parent
    for p in sorted([*data_dir.glob("*.csv"), *data_dir.glob("*.yaml"), *domain.glob("*.py")]):
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]
