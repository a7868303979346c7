"""Loads the coder's reference tables from services/coder/coder/data."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coder.adapters.diagnosis_data import load_diagnosis_index
from coder.domain.imaging import Imaging, ImagingCode
from coder.domain.model import (
    AddOnCode,
    CatalogEntry,
    CodeSet,
    EditPair,
    FluVaccineProduct,
    IcdChange,
    PayerRules,
    ReferenceTables,
    UnitLimit,
)
from coder.domain.procedure_text import Term, phrase_key, tokens
from coder.domain.text_index import normalise_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(data_dir: Path, name: str) -> list[dict[str, str]]:
    path = data_dir / name
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def catalog_entries(data_dir: Path) -> dict[str, CatalogEntry]:
    catalog: dict[str, CatalogEntry] = {}
    for row in _rows(data_dir, "procedure_catalog.csv"):
        catalog[row["code"]] = CatalogEntry(
            code=row["code"],
            label=row["label"],
            default_units=int(row["default_units"] or 1),
            global_days=row["global_days"] or "XXX",
            supports=tuple(filter(None, row["supports"].split(";"))),
            kind=row.get("kind") or "other",
            group=row.get("group") or "",
            waived_qw=row.get("qw") or "",
            sided=row.get("sided") == "Y",
            components=int(row.get("components") or 0),
            source=row.get("source") or "",
        )
    return catalog


def edit_pairs(data_dir: Path) -> tuple[EditPair, ...]:
    return tuple(
        EditPair(
            column1=r["column1"],
            column2=r["column2"],
            modifier_indicator=int(r["modifier_indicator"]),
            effective=_date(r.get("effective_date")) or date.min,
            deleted=_date(r.get("deletion_date")),
            rationale=r.get("rationale") or "",
            source=r.get("source") or "",
        )
        for r in _rows(data_dir, "edit_pairs.csv")
    )


def unit_limits(data_dir: Path) -> dict[str, UnitLimit]:
    return {
        r["code"]: UnitLimit(r["code"], int(r["mue"]), int(r["adjudication_indicator"]), r["rationale"], r["source"])
        for r in _rows(data_dir, "mue.csv")
    }


def procedure_words(data_dir: Path) -> dict[tuple[str, ...], tuple[str, ...]]:
    """How notes write procedure words ("inj", "bx", "US guided") -> the words the catalog's phrases use."""
    return {tuple(tokens(r["written"])): tuple(tokens(r["reads_as"])) for r in _rows(data_dir, "procedure_words.csv")}


def digit_modifiers(data_dir: Path) -> dict[tuple[str, str], str]:
    return {(" ".join(tokens(r["digit"])), r["side"]): r["modifier"] for r in _rows(data_dir, "digit_modifiers.csv")}


def procedure_terms(data_dir: Path) -> dict[tuple[str, ...], Term]:
    """Procedure text words -> what they name: the catalog's phrases, then drugs and other terms."""
    terms: dict[tuple[str, ...], Term] = {}
    words = procedure_words(data_dir)
    for row in _rows(data_dir, "procedure_catalog.csv"):
        for phrase in filter(None, row["phrases"].split("|")):
            terms[phrase_key(phrase, words)] = Term("code", row["code"])
    for row in _rows(data_dir, "procedure_terms.csv"):
        terms[phrase_key(row["term"], words)] = Term(row["kind"], row["code"], float(row["unit_amount"] or 0),
                                              row["unit_uom"], int(row.get("without_dose") or 0))  # fmt: skip
    terms.pop((), None)
    return terms


def icd_changes(data_dir: Path) -> dict[str, tuple[IcdChange, ...]]:
    found: dict[str, list[IcdChange]] = defaultdict(list)
    for r in _rows(data_dir, "icd10cm_changes.csv"):
        found[r["code"]].append(IcdChange(r["release"], r["code"], r["change"], r["prior_code"], r["prior_title"]))
    return {code: tuple(sorted(changes, key=lambda c: c.release)) for code, changes in sorted(found.items())}


def code_sets(data_dir: Path) -> tuple[CodeSet, ...]:
    return tuple(
        CodeSet(
            r["name"],
            r["version"],
            date.fromisoformat(r["effective_from"]),
            date.fromisoformat(r["effective_to"]),
            r["source"],
        )
        for r in _rows(data_dir, "code_sets.csv")
    )


def payer_rules(data_dir: Path) -> dict[str, PayerRules]:
    path = data_dir / "payer_rules.yaml"
    if not path.exists():
        return {}
    doc: dict[str, Any] = yaml.safe_load(path.read_text())
    default: dict[str, Any] = doc.get("default") or {}
    out = {"*": _payer("*", default)}
    for payer_id, rules in sorted((doc.get("payers") or {}).items()):
        out[payer_id] = _payer(payer_id, {**default, **(rules or {})})
    return out


def _payer(payer_id: str, rules: dict[str, Any]) -> PayerRules:
    telehealth = rules.get("telehealth") or {}
    return PayerRules(
        payer_id=payer_id,
        medicare_wellness=bool(rules.get("medicare_wellness", False)),
        not_covered=tuple(str(c) for c in rules.get("not_covered") or ()),
        vaccine_administration={str(k): str(v) for k, v in (rules.get("vaccine_administration") or {}).items()},
        prolonged_code=str(rules.get("prolonged_code", "99417")),
        telehealth_place=str(telehealth.get("place_of_service", "10")),
        telehealth_modifier=telehealth.get("modifier"),
        waived_test_modifier=rules.get("waived_test_modifier"),
        ippe_ecg=rules.get("ippe_ecg"),
        part_d_vaccines=tuple(str(c) for c in rules.get("part_d_vaccines") or ()),
        part_b_for_injury=tuple(str(c) for c in rules.get("part_b_for_injury") or ()),
    )


def lab_panels(data_dir: Path) -> dict[str, tuple[tuple[str, bool], ...]]:
    found: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for r in _rows(data_dir, "lab_panels.csv"):
        found[r["panel"]].append((r["component"], r["required"] == "Y"))
    return {panel: tuple(tests) for panel, tests in sorted(found.items())}


def imaging(data_dir: Path) -> Imaging:
    found: dict[str, list[ImagingCode]] = defaultdict(list)
    for r in _rows(data_dir, "imaging_views.csv"):
        found[r["part"]].append(ImagingCode(r["part"], int(r["min_views"]), int(r["max_views"] or 0), r["code"]))
    return {part: tuple(codes) for part, codes in sorted(found.items())}


def age_forms(data_dir: Path) -> dict[str, tuple[str, int]]:
    rows = _rows(data_dir, "vaccine_age_forms.csv")
    return {r["adult_code"]: (r["child_code"], int(r["child_through_age"])) for r in rows}


@lru_cache(maxsize=4)
def load_tables(data_dir: Path = DATA_DIR) -> ReferenceTables:
    """The coder's tables from a data folder (the shipped one by default; `rcm recode --tables`
    points at another to see what a change to a table would do)."""
    files = sorted([*data_dir.glob("*.csv"), *data_dir.glob("*.yaml")])
    fingerprint = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:10]
    procedure_phrases: dict[str, str] = {}
    for row in _rows(data_dir, "procedure_catalog.csv"):
        for phrase in filter(None, row["phrases"].split("|")):
            procedure_phrases[normalise_text(phrase)] = row["code"]
    pairs = edit_pairs(data_dir)
    by_column1: dict[str, list[EditPair]] = defaultdict(list)
    for pair in pairs:
        by_column1[pair.column1].append(pair)
    flu = tuple(
        FluVaccineProduct(
            r["season"],
            date.fromisoformat(r["effective_from"]),
            date.fromisoformat(r["effective_to"]),
            r["product"],
            r["code"],
        )
        for r in _rows(data_dir, "flu_vaccines.csv")
    )
    add_ons = {
        r["code"]: AddOnCode(r["code"], tuple(filter(None, r["primaries"].split(";"))), r["source"])
        for r in _rows(data_dir, "add_on_codes.csv")
    }
    terms = procedure_terms(data_dir)
    return ReferenceTables(
        diagnosis_index=load_diagnosis_index(data_dir),  # diagnosis tables: adapters/diagnosis_data.py
        procedure_phrases=procedure_phrases,
        catalog=catalog_entries(data_dir),
        edit_pairs=pairs,
        version=fingerprint,
        unit_limits=unit_limits(data_dir),
        add_ons=add_ons,
        flu_products=flu,
        payers=payer_rules(data_dir),
        code_sets=code_sets(data_dir),
        edits_by_column1={code: tuple(found) for code, found in sorted(by_column1.items())},
        procedure_terms=terms,
        icd_changes=icd_changes(data_dir),
        longest_term=max((len(k) for k in terms), default=1),
        procedure_words=procedure_words(data_dir),
        digit_modifiers=digit_modifiers(data_dir),
        lab_panels=lab_panels(data_dir),
        age_forms=age_forms(data_dir),
        imaging=imaging(data_dir),
        side_required=frozenset(
            r["code"] for r in _rows(data_dir, "bilateral_indicators.csv") if r["indicator"] in "13"
        ),
        separate_em=frozenset(r["code"] for r in _rows(data_dir, "separate_em_services.csv")),
    )
