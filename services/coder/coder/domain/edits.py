"""NCCI edits over the service lines of one day: procedure-to-procedure pairs (by modifier indicator),
add-on codes without their primary, and medically unlikely edits (units per code per day)."""

from __future__ import annotations

from datetime import date

from coder.domain import modifiers
from coder.domain.model import EditPair, ReferenceTables
from coder.domain.vaccines import Draft
from shared.schemas import CodedServiceLine, ReviewReason


def drop(lines: list[CodedServiceLine], line: CodedServiceLine) -> None:
    """Removes this line (by identity: two lines may be equal)."""
    del lines[next(i for i, other in enumerate(lines) if other is line)]


def _reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


def pairs_in_force(lines: list[CodedServiceLine], tables: ReferenceTables, on: date) -> list[EditPair]:
    codes = {ln.procedure_code for ln in lines}
    found = []
    for code in sorted(codes):  # sorted: the same reasons in the same order in every process
        for pair in tables.edits_by_column1.get(code, ()):
            if pair.column2 in codes and pair.in_force(on):
                found.append(pair)
    # parts first: a code dropped into one column 1 (94010 into 94060) is not also paired as a column 1 itself
    return sorted(found, key=lambda p: p.modifier_indicator != 0 or p.mutually_exclusive)


def procedure_pairs(
    lines: list[CodedServiceLine], tables: ReferenceTables, on: date, sites: dict[int, str] | None = None
) -> list[ReviewReason]:
    """Indicator 0: never together. Column 2 is part of column 1 (dropped, said on column 1's line), or the
    two are mutually exclusive (a person decides which was done). Indicator 1: together only as distinct
    services: XS/XE when the documentation says so, else a person decides."""
    reasons: list[ReviewReason] = []
    for pair in pairs_in_force(lines, tables, on):
        firsts = [ln for ln in lines if ln.procedure_code == pair.column1]
        seconds = [ln for ln in lines if ln.procedure_code == pair.column2]
        if not firsts or not seconds:
            continue  # an earlier pair already dropped one of them
        if pair.modifier_indicator == 0:
            if pair.mutually_exclusive:
                reasons.append(_reason("edit-pair", f"{pair.column1} and {pair.column2} are mutually exclusive "
                                       f"(NCCI, {pair.source}): a person decides which was done",
                                       [pair.column1, pair.column2]))  # fmt: skip
                continue
            for line in seconds:
                drop(lines, line)
            firsts[0].evidence.append(f"{pair.column2} is included in {pair.column1} (NCCI PTP, indicator 0)")
            continue
        for second in seconds:
            if any(modifiers.shows_distinct_service(first, second) for first in firsts):
                continue
            if pair.same_site_rule:
                drop(lines, second)  # CPT: at the same site only column 1 is reported
                firsts[0].evidence.append(f"{pair.column2} at the same site is part of {pair.column1}")
                continue
            found = modifiers.documented_distinct(second, firsts, sites or {})
            if found and len(second.modifiers) < modifiers.MAX_MODIFIERS:
                second.modifiers.append(found)
                second.evidence.append(f"distinct service documented ({found}) beside {pair.column1}")
                continue
            reasons.append(_reason("edit-pair-modifier", (
                f"{pair.column2} with {pair.column1} is billed only as a distinct service (NCCI indicator 1); the "
                "documentation does not say the site or encounter differs: a person decides XS/XE/XU or drops "
                f"{pair.column2}"), [f"{pair.column2}-XS", f"{pair.column2}-XU"]))  # fmt: skip
    return reasons


def add_ons(lines: list[CodedServiceLine], tables: ReferenceTables) -> list[ReviewReason]:
    """An add-on code only on a claim with one of its primary codes."""
    codes = {ln.procedure_code for ln in lines}
    reasons = []
    for line in lines:
        rule = tables.add_ons.get(line.procedure_code)
        if rule is not None and not codes & set(rule.primaries):
            reasons.append(_reason("addon-without-primary", (
                f"{line.procedure_code} is an add-on code, billed only with {', '.join(rule.primaries)}: a person "
                "decides the primary service or drops it"), list(rule.primaries)))  # fmt: skip
    return reasons


def unit_limits(lines: list[CodedServiceLine], tables: ReferenceTables) -> list[ReviewReason]:
    """Medically unlikely edits: units above the MUE go to a person (never silently cut)."""
    per_day: dict[str, int] = {}
    reasons = []
    for line in lines:
        limit = tables.unit_limits.get(line.procedure_code)
        if limit is None:
            continue
        if limit.adjudication_indicator == 1:  # a line edit: each line on its own
            units = line.units
        else:
            units = per_day[line.procedure_code] = per_day.get(line.procedure_code, 0) + line.units
        if units > limit.units:
            reasons.append(_reason("mue", (
                f"{line.procedure_code}: {units} units exceed the MUE of {limit.units} a day (MAI "
                f"{limit.adjudication_indicator}, {limit.rationale}): a person checks the units"),
                [f"{line.procedure_code}x{limit.units}"]))  # fmt: skip
    return reasons


def written_counts(drafts: list[Draft], tables: ReferenceTables) -> list[ReviewReason]:
    """A count written beside a one-unit code ("EKG x2", "UA dip x2"): above the MUE, a per-day policy limit (MAI 2:
    venipuncture, spirometry, one visit code) is one unit; a clinical or per-line limit (MAI 3/1) may be met by a
    second, separate service, which a person confirms from the note (CMS MUE adjudication indicators)."""
    reasons = []
    for d in drafts:
        if d.origin != "text" or d.line.units > 1 or not d.flags:
            continue
        times = next((int(f[6:]) for f in d.flags if f.startswith("times=")), 0)
        limit = tables.unit_limits.get(d.code)
        if limit is None or times <= limit.units:
            continue
        if limit.adjudication_indicator == 2:
            d.line.evidence.append(f"x{times} written; {d.code} is reported once a day (MUE {limit.units}, MAI 2)")
            continue
        reasons.append(_reason("mue-written-count", (
            f"procedure {d.item}: x{times} written beside {d.code}, whose MUE is {limit.units} (MAI "
            f"{limit.adjudication_indicator}, {limit.rationale}): a person confirms separate services from the note "
            "or bills one"), [d.code, f"{d.code}x{times}"]))  # fmt: skip
    return reasons
