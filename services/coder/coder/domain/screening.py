"""Screening encounters as physicians write them ("annual screen for STDs", "hep C screening", "screening
mammo", "routine screening labs - lipids") -> the Z11-Z13 code for what is screened (data/screening_targets.csv).

I.C.21.c.5: screening is testing for disease in a person without signs or symptoms; its code is first-listed
when the screening is the reason for the visit, an additional code during a problem visit, and never the code of
the disease screened for. A screening whose target is not written ("annual screen") goes to a person."""

from __future__ import annotations

import re

from coder.domain.diagnosis_rules import Coded
from coder.domain.text_index import DiagnosisIndex, TextMatch, normalise_text
from shared.schemas import ReviewReason

_HOW = r"(?:(?:annual|routine|yearly|periodic|lab|labs|preventive|cancer)\s+)*"
_WORD = r"(?:screening|screen|screenings|screens)"
_WHAT = r"(?:\s+(?:labs?|tests?|testing|exam|examination|blood work))?"
_BEFORE = re.compile(rf"^{_HOW}{_WORD}{_WHAT}(?:\s+(?:for|of))?(?:\s+(?P<target>.+))?$")
_AFTER = re.compile(rf"^{_HOW}(?P<target>.+?)\s+{_WORD}{_WHAT}$")
SCREENING_CONFIDENCE = 0.97  # a table row, like a phrase-table match
DO_NOT_SCREEN = ("Z11", "Z12", "Z13")


def screening_target(norm: str) -> str | None:
    """The target of a screening as written ("" when none is written), or None when the text is no screening."""
    if m := _BEFORE.match(norm):
        return (m["target"] or "").strip()
    if m := _AFTER.match(norm):
        return m["target"].strip()
    return None


def code_screening(
    position: int, norm: str, index: DiagnosisIndex, targets: dict[str, str]
) -> tuple[list[Coded], list[ReviewReason]] | None:
    """The screening code, a reason for a person, or None when the text is not a screening."""
    target = screening_target(norm)
    if target is None:
        return None
    expanded = index.expand(target) if target else ""
    for text in (target, expanded):
        if text and (code := targets.get(normalise_text(text))):
            return [Coded(code, SCREENING_CONFIDENCE, "text", [f"screening for {text} (I.C.21.c.5)"])], []
    found = index.lookup(f"encounter for screening for {expanded}", within="Z1") if expanded else None
    if isinstance(found, TextMatch) and all(c.startswith(DO_NOT_SCREEN) for c in found.codes):
        evidence = [*found.evidence, "screening (I.C.21.c.5)"]
        return [Coded(c, found.confidence, "text", evidence) for c in found.codes], []
    what = f"screening for {target}" if target else "a screening with nothing written of what is screened"
    suggestions = found.suggestions if found is not None and not isinstance(found, TextMatch) else []
    message = (f"diagnosis {position} is {what}: choose the Z11-Z13 code for what was screened (I.C.21.c.5), "
               "not the disease")  # fmt: skip
    return [], [ReviewReason(code="dx-screening-unplaced", message=message, suggestions=suggestions)]
