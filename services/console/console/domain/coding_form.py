"""A coder's form on the review page, read and checked the way the coder's API will check it
(billable ICD-10-CM codes, pointers into the listed diagnoses), so mistakes show while typing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import simple_icd_10_cm as cm

MAX_DIAGNOSES, MAX_LINES = 12, 6
PROCEDURE = re.compile(r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")
MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


def normalise(code: str) -> str:
    """E119 and e11.9 are E11.9."""
    code = code.strip().upper().replace(".", "")
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def diagnosis_problem(code: str) -> str | None:
    if not cm.is_valid_item(code):
        return f"{code} is not an ICD-10-CM code"
    if not cm.is_leaf(code):
        children = ", ".join(cm.get_children(code)[:6])
        return f"{code} is not billable: it has more specific codes ({children})"
    return None


def description(code: str) -> str:
    return str(cm.get_description(code)) if cm.is_valid_item(code) else ""


@dataclass
class CodingForm:
    coder: str
    diagnoses: list[str]
    lines: list[dict[str, Any]]
    problems: dict[str, str] = field(default_factory=dict)  # field name -> what is wrong

    @property
    def ok(self) -> bool:
        return not self.problems

    def decision(self) -> dict[str, Any]:
        """The body of the coder's POST /review/{visit_id}."""
        return {"coder": self.coder, "diagnoses": self.diagnoses, "service_lines": self.lines}


def read_form(form: dict[str, str]) -> CodingForm:
    problems: dict[str, str] = {}
    coder = form.get("coder", "").strip()
    if not coder:
        problems["coder"] = "who is coding: your name or user id"
    diagnoses: list[str] = []
    for n in range(1, MAX_DIAGNOSES + 1):
        text = form.get(f"dx{n}", "").strip()
        if not text:
            continue
        code = normalise(text)
        problem = diagnosis_problem(code)
        if problem:
            problems[f"dx{n}"] = problem
        elif code in diagnoses:
            problems[f"dx{n}"] = f"{code} is listed twice"
        diagnoses.append(code)
    if not diagnoses:
        problems["dx1"] = "at least one diagnosis"
    lines: list[dict[str, Any]] = []
    for n in range(1, MAX_LINES + 1):
        procedure = form.get(f"cpt{n}", "").strip().upper()
        if not procedure:
            continue
        if not PROCEDURE.fullmatch(procedure):
            problems[f"cpt{n}"] = "a CPT or HCPCS code: five characters, like 99213 or J1100"
        modifiers = [m for m in re.split(r"[\s,]+", form.get(f"mod{n}", "").strip().upper()) if m]
        if len(modifiers) > 4 or any(not MODIFIER.fullmatch(m) for m in modifiers):
            problems[f"mod{n}"] = "up to four two-character modifiers, like 25 or LT"
        units_text = form.get(f"units{n}", "1").strip() or "1"
        units = int(units_text) if units_text.isdigit() else 0
        if not 1 <= units <= 999:
            problems[f"units{n}"] = "a whole number from 1 to 999"
        pointers_text = form.get(f"ptr{n}", "").strip() or "1"
        pointers = [int(p) for p in re.split(r"[\s,]+", pointers_text) if p.isdigit()]
        if (
            not pointers
            or len(pointers) > 4
            or len(set(pointers)) != len(pointers)
            or any(not 1 <= p <= len(diagnoses) for p in pointers)
        ):
            problems[f"ptr{n}"] = (
                f"one to four different numbers of the diagnoses above (1 to {max(len(diagnoses), 1)})"
            )
        lines.append({"procedure_code": procedure, "modifiers": modifiers, "units": units,
                      "diagnosis_pointers": pointers})  # fmt: skip
    if not lines:
        problems["cpt1"] = "at least one service line"
    return CodingForm(coder, diagnoses, lines, problems)
