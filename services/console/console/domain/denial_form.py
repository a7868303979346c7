"""A biller's form on a denied claim's page, read into the biller's denial-work request
(biller.domain.denial_work.DenialWork): the action, who signs and why, and for a correction only
what differs from the claim as it stands. The biller checks everything again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("correct", "write_off", "appeal")
SPLIT = re.compile(r"[\s,]+")


@dataclass
class DenialForm:
    request: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _words(text: str) -> list[str]:
    return [w for w in SPLIT.split(text.strip().upper()) if w]


def read_denial_form(form: dict[str, str], lines: list[dict[str, Any]]) -> DenialForm:
    out = DenialForm()
    action = form.get("action", "")
    if action not in ACTIONS:
        out.errors["action"] = "choose correct and resubmit, write off, or appeal"
    worked_by, reason = form.get("worked_by", "").strip(), form.get("reason", "").strip()
    if not worked_by:
        out.errors["worked_by"] = "sign with your name"
    if not reason:
        out.errors["reason"] = "say why"
    out.request = {"action": action, "worked_by": worked_by, "reason": reason}
    if action != "correct":
        return out
    if authorization := form.get("prior_authorization", "").strip():
        out.request["prior_authorization"] = authorization
    if diagnoses := _words(form.get("diagnoses", "")):
        out.request["diagnoses"] = diagnoses
    changes = []
    for line in lines:
        n = line["line_number"]
        change: dict[str, Any] = {}
        modifiers = _words(form.get(f"mod{n}", " ".join(line["modifiers"])))
        if modifiers != list(line["modifiers"]):
            change["modifiers"] = modifiers
        pointers_text = _words(form.get(f"ptr{n}", ",".join(str(p) for p in line["diagnosis_pointers"])))
        if not all(p.isdigit() for p in pointers_text):
            out.errors[f"ptr{n}"] = "pointers are numbers: 1,2"
        elif [int(p) for p in pointers_text] != list(line["diagnosis_pointers"]):
            change["diagnosis_pointers"] = [int(p) for p in pointers_text]
        units = form.get(f"units{n}", str(line["units"])).strip()
        if not units.isdigit():
            out.errors[f"units{n}"] = "units are a whole number"
        elif int(units) != line["units"]:
            change["units"] = int(units)
        if change:
            changes.append({"line_number": n, **change})
    if changes:
        out.request["lines"] = changes
    return out  # a correction may change nothing: the claim is sent again as it stands (CO-16, lost claims)
