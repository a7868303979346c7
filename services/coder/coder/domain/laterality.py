"""Sides of sided procedures (MPFS bilateral indicator; HCPCS RT/LT/50): a sided procedure read from text
without a side goes to a person, and so does a side that no supporting diagnosis shares."""

from __future__ import annotations

from coder.domain import icd10
from coder.domain.model import ReferenceTables
from coder.domain.vaccines import Draft
from shared.schemas import CodedServiceLine, ReviewReason

SIDES = ("RT", "LT", "50")
WORDS = {"RT": {"right"}, "LT": {"left"}, "50": {"bilateral"}}


def missing_sides(drafts: list[Draft], tables: ReferenceTables) -> list[ReviewReason]:
    """A procedure the fee schedule pays by side (MPFS bilateral indicator 1 or 3), read from text that names no
    side (nor a finger or toe)."""
    reasons = []
    for d in drafts:
        entry = tables.catalog[d.code]
        if d.origin != "text" or d.code not in tables.side_required or entry.add_on or d.line.modifiers:
            continue
        reasons.append(ReviewReason(code="side-missing", suggestions=[f"{d.code}-RT", f"{d.code}-LT", f"{d.code}-50"],
                                    message=(f"procedure {d.item}: {d.code} is billed by side and the text names none: "
                                             "a person reads the side from the note (RT, LT or 50)")))  # fmt: skip
    return reasons


def _sides_of(code: str) -> set[str]:
    words = set(icd10.description(code).lower().replace(",", " ").split())
    return {side for side, names in WORDS.items() if names & words}


def side_conflicts(lines: list[CodedServiceLine], diagnoses: list[str], tables: ReferenceTables) -> list[ReviewReason]:
    """The procedure's side against the sides of the diagnoses that support it (a right-knee injection for a
    left-knee diagnosis): when every sided supporting diagnosis names another side, a person decides."""
    reasons: list[ReviewReason] = []
    for line in lines:
        side = next((m for m in line.modifiers if m in SIDES), None) if line.modifiers else None
        entry = tables.catalog[line.procedure_code]
        if side is None:
            continue
        # blank supports: any diagnosis supports the line (radiographs), so every sided diagnosis is compared
        found = [_sides_of(code) for code in diagnoses if not entry.supports or code.startswith(entry.supports)]
        found = [s for s in found if s]
        if not found:
            continue
        named = set().union(*found)
        agrees = "50" in named or side in named or (side == "50" and {"RT", "LT"} <= named)
        if not agrees:
            reasons.append(ReviewReason(code="side-conflict", suggestions=[line.procedure_code], message=(
                f"{line.procedure_code}-{side} and its diagnosis name different sides: a person decides which side "
                "was treated")))  # fmt: skip
    return reasons
