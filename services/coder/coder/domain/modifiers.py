"""Modifiers the documentation calls for: 25 on a separately identifiable E/M,
95 on telehealth, and the distinct-service modifiers NCCI accepts (XS, XE; RT/LT on different sides)."""

from __future__ import annotations

import re

from coder.domain import em
from coder.domain.model import CatalogEntry, PayerRules, ReferenceTables
from shared.schemas import CodedServiceLine, ReviewReason

MAX_MODIFIERS = 4
SIDES = ("RT", "LT", "50")
DISTINCT_SITE = re.compile(
    r"(\b(at|on|in) (a |an |the )?)?\b(separate|distinct|different) (site|lesion|location|area|incision)\b"
)
DISTINCT_ENCOUNTER = re.compile(r"\b(separate|distinct|different) (encounter|session|visit)\b")
# NCCI-associated modifiers: any of them on either line of an indicator-1 pair shows a distinct service
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
PREVENTIVE_KINDS = ("preventive", "wellness")


def needs_separate_em(entry: CatalogEntry, tables: ReferenceTables) -> bool:
    """A same-day E/M beside this service is billable only as significant and separately identifiable (25):
    minor procedures (global 000/010), injections, vaccine administration and the services of
    separate_em_services.csv (inhalation treatment 94640, infusions; NCCI Policy Manual ch. XI)."""
    return not entry.add_on and (
        entry.minor_procedure or entry.kind in ("injection", "vaccine-admin") or entry.code in tables.separate_em
    )


def _supports(entry: CatalogEntry, code: str) -> bool:
    return bool(entry.supports) and code.startswith(entry.supports)


def separate_em_modifier(
    lines: list[CodedServiceLine], tables: ReferenceTables, diagnoses: list[str], reasons: list[ReviewReason]
) -> None:
    """25 on each problem E/M when the day also carries a minor procedure, an injection or a vaccine
    administration; on a preventive E/M when it carries a minor procedure. The decision to do a minor
    procedure is part of it: an E/M whose only problems are the procedure's own goes to a person. G2211 is
    not billed beside an E/M whose 25 is for a procedure (CMS, CY2024; vaccines and preventive exempt, CY2025)."""
    entries = [tables.catalog[ln.procedure_code] for ln in lines]
    separate = [e for e in entries if needs_separate_em(e, tables)]
    if not separate:
        return
    minor = [e for e in separate if e.minor_procedure]
    for line, entry in zip(lines, entries, strict=True):
        problem_em = em.is_office_em(line.procedure_code) and line.procedure_code != em.NURSE_VISIT
        if "25" in line.modifiers or not (problem_em or (minor and entry.kind == "preventive")):
            continue
        line.modifiers.insert(0, "25")
        why = ", ".join(sorted({e.code for e in separate}))
        line.evidence.append(f"separately identifiable E/M beside {why} (25)")
        if problem_em and minor and diagnoses and all(any(_supports(e, c) for e in minor) for c in diagnoses):
            reasons.append(ReviewReason(code="em-not-separate", suggestions=[line.procedure_code + "-25"], message=(
                f"an E/M beside {why} whose only problems are the procedure's own: a person decides whether a "
                "significant, separately identifiable E/M was provided (25) or the E/M is dropped")))  # fmt: skip
    if any(e.kind != "vaccine-admin" for e in separate):  # 25 for a procedure or an injection (96372)
        lines[:] = [ln for ln in lines if ln.procedure_code != "G2211"]


def telehealth_modifier(lines: list[CodedServiceLine], tables: ReferenceTables, rules: PayerRules) -> None:
    if rules.telehealth_modifier is None:
        return
    for line in lines:
        kind = tables.catalog[line.procedure_code].kind
        if (
            kind in ("em", "wellness")
            and line.procedure_code != em.NURSE_VISIT
            and rules.telehealth_modifier not in line.modifiers
        ):
            line.modifiers.append(rules.telehealth_modifier)


def side(line: CodedServiceLine) -> str | None:
    return next((m for m in line.modifiers if m in SIDES), None)


def shows_distinct_service(first: CodedServiceLine, second: CodedServiceLine) -> bool:
    """Already distinct: an NCCI-associated modifier on either line, or the two on different sides."""
    if DISTINCT_MODIFIERS & (set(first.modifiers) | set(second.modifiers)):
        return True
    a, b = side(first), side(second)
    return a is not None and b is not None and a != b and "50" not in (a, b)


def documented_distinct(line: CodedServiceLine, others: list[CodedServiceLine], sites: dict[int, str]) -> str | None:
    """The X modifier the documentation supports: XS a separate site (said so, or two different body sites
    named), XE a separate encounter."""
    text = " ".join(line.evidence + [e for other in others for e in other.evidence])
    if DISTINCT_SITE.search(text):
        return "XS"
    site = sites.get(id(line))
    if site and any(sites.get(id(o)) and sites.get(id(o)) != site for o in others):
        return "XS"
    if DISTINCT_ENCOUNTER.search(text):
        return "XE"
    return None
