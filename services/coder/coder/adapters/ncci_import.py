"""Imports CMS's quarterly NCCI files in their published layout into the coder's tables, so an operator
loads a real quarter without a code change.

- Practitioner PTP edits (tab-delimited .txt or CSV): a few lines of notice, then the header
  Column 1 | Column 2 | * = In existence prior to 1996 | Effective Date | Deletion Date (* = no data) |
  Modifier (0 = not allowed, 1 = allowed, 9 = not applicable) | PTP Edit Rationale; dates as YYYYMMDD.
- Practitioner MUEs (CSV): notice lines, then HCPCS/CPT Code | Practitioner Services MUE Values |
  MUE Adjudication Indicator ("2 Date of Service Edit: Policy") | MUE Rationale.

Only rows whose codes are in the catalog are kept (the coder cannot bill the others; the full files
hold millions of pairs). The result replaces data/edit_pairs.csv or data/mue.csv, and the release is
recorded in data/code_sets.csv with its dates."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coder.adapters.reference import catalog_entries

CODE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")  # CPT, HCPCS, Category II/III and vaccine codes
PTP_FIELDS = ["column1", "column2", "modifier_indicator", "effective_date", "deletion_date", "rationale", "source"]
MUE_FIELDS = ["code", "mue", "adjudication_indicator", "rationale", "source"]
MANIFEST_FIELDS = ["name", "version", "effective_from", "effective_to", "source"]


@dataclass(frozen=True)
class ImportSummary:
    read: int  # data rows in the file
    kept: int  # rows among the catalog's codes, written
    path: Path


def _cms_date(text: str) -> str:
    """'20240101' -> '2024-01-01'; '*' or blank (no data) -> ''."""
    text = text.strip()
    if not text or text.startswith("*"):
        return ""
    return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()


def _table(path: Path, header_starts: str) -> Iterator[list[str]]:
    """The data rows under the header row whose first cell starts with `header_starts` (tab or comma).
    Streamed: a quarter's practitioner PTP file holds about a million pairs."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = "".join(fh.readline() for _ in range(50))
        delimiter = "\t" if "\t" in head else ","
        fh.seek(0)
        yield from _under_header(csv.reader(fh, delimiter=delimiter), header_starts)


def _under_header(rows: Iterator[list[str]], header_starts: str) -> Iterator[list[str]]:
    in_table = False
    for row in rows:
        cells = [c.strip() for c in row]
        if not in_table:
            in_table = bool(cells) and cells[0].lower().startswith(header_starts.lower())
            continue
        if cells and CODE.match(cells[0]):
            yield cells


def read_ptp(path: Path, source: str) -> Iterator[dict[str, str]]:
    for cells in _table(path, "Column 1"):
        if len(cells) < 6 or not CODE.match(cells[1]):
            continue
        yield {
            "column1": cells[0],
            "column2": cells[1],
            "modifier_indicator": str(int(cells[5])),
            "effective_date": _cms_date(cells[3]),
            "deletion_date": _cms_date(cells[4]),
            "rationale": cells[6] if len(cells) > 6 else "",
            "source": source,
        }


def read_mue(path: Path, source: str) -> Iterator[dict[str, str]]:
    for cells in _table(path, "HCPCS"):
        if len(cells) < 3 or not cells[1].isdigit():
            continue
        indicator = re.match(r"\s*(\d)", cells[2])
        yield {
            "code": cells[0],
            "mue": cells[1],
            "adjudication_indicator": indicator.group(1) if indicator else "3",
            "rationale": cells[3] if len(cells) > 3 else "",
            "source": source,
        }


def _write(path: Path, fields: list[str], rows: list[dict[str, str]], note: str) -> None:
    with path.open("w", newline="") as fh:
        fh.write(note)
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def record_release(data_dir: Path, name: str, version: str, start: date, end: date, source: str) -> None:
    """Adds (or replaces) one release row of the code set manifest, keeping its notes."""
    path = data_dir / "code_sets.csv"
    lines = path.read_text().splitlines(keepends=True) if path.exists() else []
    notes = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    rows = [r for r in rows if not (r["name"] == name and r["version"] == version)]
    rows.append({"name": name, "version": version, "effective_from": start.isoformat(),
                 "effective_to": end.isoformat(), "source": source})  # fmt: skip
    rows.sort(key=lambda r: (r["name"], r["effective_from"], r["version"]))
    _write(path, MANIFEST_FIELDS, rows, "".join(notes))


def import_file(
    kind: str, path: Path | list[Path], data_dir: Path, version: str, start: date, end: date
) -> ImportSummary:
    """kind 'ptp' or 'mue': read CMS file(s) (the practitioner PTP quarter comes in several parts), keep the
    catalog's codes, replace the table, record the release."""
    paths = path if isinstance(path, list) else [path]
    catalog = catalog_entries(data_dir)
    names = ", ".join(p.name for p in paths)
    source = f"CMS NCCI {kind.upper()} practitioner {version} ({names})"
    read = 0
    kept: list[dict[str, str]] = []
    keys: tuple[str, ...]
    for one in paths:
        if kind == "ptp":
            rows, keys = read_ptp(one, source), ("column1", "column2")
        elif kind == "mue":
            rows, keys = read_mue(one, source), ("code",)
        else:
            raise ValueError(f"unknown code set kind {kind!r}: ptp or mue")
        for row in rows:
            read += 1
            if all(row[k] in catalog for k in keys):
                kept.append(row)
    if kind == "ptp":
        kept.sort(key=lambda r: (r["column1"], r["column2"], r["effective_date"]))
        target, fields, name = data_dir / "edit_pairs.csv", PTP_FIELDS, "NCCI-PTP"
        note = f"# NCCI practitioner PTP edits {version} among the catalog's codes, imported from {names}.\n"
    else:
        kept.sort(key=lambda r: r["code"])
        target, fields, name = data_dir / "mue.csv", MUE_FIELDS, "MUE"
        note = f"# Practitioner MUEs {version} for the catalog's codes, imported from {names}.\n"
    _write(target, fields, kept, note)
    record_release(data_dir, name, version, start, end, source)
    return ImportSummary(read=read, kept=len(kept), path=target)
