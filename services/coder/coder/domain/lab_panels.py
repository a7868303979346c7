"""Organ and disease panels (lab_panels.csv): a test written beside its panel is part of the panel, and every
required test of a panel written without the panel is the panel (NCCI Policy Manual ch. X; CPT panel rules)."""

from __future__ import annotations

from dataclasses import dataclass

from coder.domain.model import ReferenceTables
from shared.schemas import CodedServiceLine


@dataclass(frozen=True)
class Panel:
    code: str
    required: frozenset[str]
    tests: frozenset[str]


_PREPARED: dict[int, tuple[tuple[Panel, ...], frozenset[str]]] = {}


def _prepared(tables: ReferenceTables) -> tuple[tuple[Panel, ...], frozenset[str]]:
    """The panels, the one with the most required tests first (fourteen CMP tests are a CMP, not a BMP and six
    more), and every code they involve; built once per table."""
    found = _PREPARED.get(id(tables.lab_panels))
    if found is None:
        panels = tuple(sorted(
            (Panel(code, frozenset(t for t, req in tests if req), frozenset(t for t, _ in tests))
             for code, tests in tables.lab_panels.items() if code in tables.catalog),
            key=lambda p: (-len(p.required), p.code)))  # fmt: skip
        involved = frozenset(c for p in panels for c in (p.code, *p.tests))
        found = _PREPARED[id(tables.lab_panels)] = (panels, involved)
    return found


def apply(lines: list[CodedServiceLine], tables: ReferenceTables) -> None:
    panels, involved = _prepared(tables)
    codes = {ln.procedure_code for ln in lines}
    if not codes & involved:
        return
    for panel in panels:
        if panel.code in codes or not panel.required or not panel.required <= codes:
            continue
        first = next(ln for ln in lines if ln.procedure_code in panel.required)
        first.procedure_code = panel.code
        first.units = 1
        first.evidence.append(f"every test of panel {panel.code} documented: the panel is billed (NCCI ch. X)")
        lines[:] = [ln for ln in lines if ln is first or ln.procedure_code not in panel.required]
        codes = {ln.procedure_code for ln in lines}
    for panel in panels:
        parts = panel.tests & codes
        if panel.code not in codes or not parts:
            continue
        holder = next(ln for ln in lines if ln.procedure_code == panel.code)
        holder.evidence.append(f"{', '.join(sorted(parts))} written beside panel {panel.code}: part of the panel")
        lines[:] = [ln for ln in lines if ln.procedure_code not in panel.tests]
        codes -= parts
