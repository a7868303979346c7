"""Organ and disease panels (lab_panels.csv): a test written beside its panel is part of the panel, and every
required test of a panel written without the panel is the panel (NCCI Policy Manual ch. X; CPT panel rules)."""

from __future__ import annotations

from coder.domain.model import ReferenceTables
from shared.schemas import CodedServiceLine

Panels = list[tuple[str, tuple[tuple[str, bool], ...]]]
_ORDER: dict[int, Panels] = {}


def _by_size(tables: ReferenceTables) -> Panels:
    # the panel with the most required tests first: fourteen CMP tests are a CMP, not a BMP and six more
    found = _ORDER.get(id(tables.lab_panels))
    if found is None:
        items = tables.lab_panels.items()
        found = _ORDER[id(tables.lab_panels)] = sorted(items, key=lambda item: (-sum(r for _, r in item[1]), item[0]))
    return found


def apply(lines: list[CodedServiceLine], tables: ReferenceTables) -> None:
    if not tables.lab_panels or not any(tables.catalog[ln.procedure_code].kind == "lab" for ln in lines):
        return
    for panel, tests in _by_size(tables):
        codes = {ln.procedure_code for ln in lines}
        required = [test for test, req in tests if req]
        if panel in codes or not required or panel not in tables.catalog or not set(required) <= codes:
            continue
        first = next(ln for ln in lines if ln.procedure_code in required)
        first.procedure_code = panel
        first.units = 1
        first.evidence.append(f"every test of panel {panel} documented: the panel is billed (NCCI Policy Manual ch. X)")
        lines[:] = [ln for ln in lines if ln is first or ln.procedure_code not in required]
    for panel, tests in _by_size(tables):
        holder = next((ln for ln in lines if ln.procedure_code == panel), None)
        inside = {test for test, _ in tests}
        if holder is None or not inside & {ln.procedure_code for ln in lines}:
            continue
        parts = sorted({ln.procedure_code for ln in lines if ln.procedure_code in inside})
        holder.evidence.append(f"{', '.join(parts)} written beside panel {panel}: part of the panel")
        lines[:] = [ln for ln in lines if ln.procedure_code not in inside]
