"""Code sets by date of service: the release in force on the service date applies.

ICD-10-CM changes every October 1 (the federal fiscal year) and may change April 1; NCCI edits
and MUEs change every quarter; influenza vaccine products every August 1. Each release is a dated
row of the manifest (data/code_sets.csv). A visit dated past the newest loaded release of a set is
coded with that newest release and flagged, so an operator knows a newer release must be loaded."""

from __future__ import annotations

import re
from datetime import date

from coder.domain.model import CodeSet, CodingResult, IcdChange, ReferenceTables
from shared.schemas import CodedDiagnosis, ReviewReason

ICD = "ICD-10-CM"
_NOT_BILLABLE = re.compile(r"^diagnosis (\d+): ([A-Z0-9.]+) ")


def fiscal_year(on: date) -> int:
    """The federal fiscal year of a date: FY2026 runs 2025-10-01 to 2026-09-30."""
    return on.year + 1 if on.month >= 10 else on.year


def in_force(code_sets: tuple[CodeSet, ...], name: str, on: date) -> tuple[CodeSet | None, bool]:
    """The release of `name` that applies on a date, and whether the date is past every loaded release
    (then the newest is used and the second value is True). None when no release of it is loaded."""
    releases = sorted((s for s in code_sets if s.name == name), key=lambda s: (s.effective_from, s.version))
    if not releases:
        return None, False
    for release in reversed(releases):
        if release.effective_from <= on <= release.effective_to:
            return release, False
    newest = releases[-1]
    if on > newest.effective_to:
        return newest, True
    # before the oldest loaded release (or in a gap between two): the nearest earlier one, flagged
    earlier = [s for s in releases if s.effective_from <= on]
    return (earlier[-1] if earlier else releases[0]), True


def names(code_sets: tuple[CodeSet, ...]) -> list[str]:
    return sorted({s.name for s in code_sets})


_BY_DATE: dict[tuple[int, date], tuple[dict[str, str], list[str]]] = {}


def releases_on(code_sets: tuple[CodeSet, ...], on: date) -> tuple[dict[str, str], list[str]]:
    """Each set's release in force on a date (name -> version), and the sets past their newest release."""
    key = (id(code_sets), on)
    found = _BY_DATE.get(key)
    if found is None:
        versions: dict[str, str] = {}
        stale: list[str] = []
        for name in names(code_sets):
            release, past = in_force(code_sets, name, on)
            if release is not None:
                versions[name] = release.version
                if past:
                    stale.append(name)
        if len(_BY_DATE) > 10_000:
            _BY_DATE.clear()
        found = _BY_DATE[key] = (versions, stale)
    return found


def mark_code_sets(on: date, tables: ReferenceTables, result: CodingResult) -> None:
    """Record on the result which release of each code set applies, and whether any is stale."""
    versions, stale = releases_on(tables.code_sets, on)
    result.code_sets.update(versions)
    result.stale_code_sets.extend(stale)


def _later(changes: tuple[IcdChange, ...], version: str) -> list[IcdChange]:
    """The addenda entries made by releases after the one in force (versions compare as FY2025 < FY2026)."""
    return [c for c in changes if c.release > version]


_NEWEST: dict[int, str] = {}


def _newest_change(tables: ReferenceTables) -> str:
    key = id(tables.icd_changes)
    if key not in _NEWEST:
        _NEWEST[key] = max(c.release for changes in tables.icd_changes.values() for c in changes)
    return _NEWEST[key]


def apply_icd_release(on: date, tables: ReferenceTables, result: CodingResult) -> None:
    """Diagnoses are coded with the newest release the engine reads; for a service date in an earlier fiscal
    year the later addenda are undone: a code added later becomes the code it expanded (or goes to a person),
    a supplied code that was billable then is accepted."""
    version = releases_on(tables.code_sets, on)[0].get(ICD)
    if version is None or not tables.icd_changes or version >= _newest_change(tables):
        return
    for position, dx in enumerate(list(result.diagnoses)):
        later = _later(tables.icd_changes.get(dx.code, ()), version)
        added = next((c for c in later if c.change == "added"), None)
        if added is None:
            continue
        if added.prior_code:
            title = next((c.prior_title for c in tables.icd_changes.get(added.prior_code, ()) if c.prior_title), "")
            result.diagnoses[position] = dx.model_copy(update={
                "code": added.prior_code, "description": title or dx.description,
                "evidence": [*dx.evidence, f"{version} code set: {dx.code} did not exist yet"]})  # fmt: skip
        else:
            result.diagnoses.remove(dx)
            result.review_reasons.append(ReviewReason(code="icd-not-in-release", suggestions=[], message=(
                f"{dx.code} was added in {added.release}; the service date falls under {version}: a person "
                "chooses the code of that release")))  # fmt: skip
    for reason in list(result.review_reasons):
        found = _NOT_BILLABLE.match(reason.message)
        if reason.code not in ("icd-not-billable", "icd-unknown") or found is None:
            continue
        code = found.group(2)
        then = next((c for c in _later(tables.icd_changes.get(code, ()), version)
                     if c.change in ("expanded", "deleted")), None)  # fmt: skip
        if then is None or any(d.code == code for d in result.diagnoses):
            continue
        result.review_reasons.remove(reason)
        index = min(int(found.group(1)) - 1, len(result.diagnoses))
        accepted = CodedDiagnosis(code=code, description=then.prior_title, source="supplied", confidence=1.0,
                                  evidence=[code, f"billable in {version}"])  # fmt: skip
        result.diagnoses.insert(index, accepted)
