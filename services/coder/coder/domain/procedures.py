"""Service lines of a visit: procedures from codes or text, the payer's rules, the E/M (visit_em.py),
modifiers (modifiers.py), NCCI edits (edits.py) and diagnosis pointers by relevance."""

from __future__ import annotations

from datetime import date

from coder.domain import edits, em, modifiers, payer_rules, visit_em
from coder.domain.model import CodingResult, FluVaccineProduct, ReferenceTables
from coder.domain.payer_rules import place_of_service
from coder.domain.text_index import normalise_text
from shared.schemas import CodedServiceLine, ReviewReason, Visit

__all__ = ["assign_pointers", "code_procedures", "code_services", "place_of_service"]

MAX_POINTERS = 4


def reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


def code_procedures(visit: Visit, tables: ReferenceTables, result: CodingResult) -> list[CodedServiceLine]:
    """One line per documented procedure: a supplied code, or text through the catalog's phrases
    (its side becomes RT/LT/50)."""
    lines = []
    for position, proc in enumerate(visit.procedures, start=1):
        mods = list(proc.modifiers)
        if proc.code:
            code, source, evidence = proc.code, "supplied", proc.code
            if proc.text:
                evidence = f"{proc.code} {normalise_text(proc.text)}"
        else:
            phrase, side = modifiers.laterality(proc.text or "")
            code = tables.procedure_phrases.get(modifiers.strip_distinct(phrase), "") or tables.procedure_phrases.get(
                normalise_text(proc.text or ""), ""
            )
            source, evidence = "text", normalise_text(proc.text or "")
            if not code:
                result.review_reasons.append(
                    reason("proc-text-unmatched", f"procedure {position}: no code for the text given")
                )
                continue
            if side and side not in mods:
                if len(mods) >= modifiers.MAX_MODIFIERS:
                    result.review_reasons.append(reason("modifiers", f"procedure {position}: no room for {side}"))
                    continue
                mods.append(side)
        entry = tables.catalog.get(code)
        if entry is None:
            result.review_reasons.append(
                reason("proc-unknown", f"procedure {position}: {code} is not in the procedure catalog")
            )
            continue
        units = proc.units if proc.units != 1 else entry.default_units
        lines.append(CodedServiceLine(procedure_code=code, modifiers=mods, units=units, diagnosis_pointers=[1],
                                      source=source, evidence=[evidence]))  # fmt: skip
    return lines


def season_products(products: tuple[FluVaccineProduct, ...], on: date) -> tuple[str, dict[str, str]]:
    """The flu season in force on a date (the newest loaded when past it) and its product -> code."""
    seasons = sorted({(p.effective_from, p.effective_to, p.season) for p in products})
    if not seasons:
        return "", {}
    chosen = next((s for s in seasons if s[0] <= on <= s[1]), None)
    if chosen is None:
        earlier = [s for s in seasons if s[0] <= on]
        chosen = earlier[-1] if earlier else seasons[0]
    return chosen[2], {p.product: p.code for p in products if p.season == chosen[2]}


def flu_vaccine_season(lines: list[CodedServiceLine], tables: ReferenceTables, on: date, result: CodingResult) -> None:
    """Influenza vaccine product codes change with the season (quadrivalent until 2023-24, trivalent since):
    a product named in text gets the season's code; a supplied code of another season goes to a person."""
    season, codes = season_products(tables.flu_products, on)
    if not codes:
        return
    product_of = {p.code: p.product for p in tables.flu_products}
    for line in lines:
        entry = tables.catalog[line.procedure_code]
        if entry.group != "influenza" or entry.kind != "vaccine" or line.procedure_code in codes.values():
            continue
        product = product_of.get(line.procedure_code)
        if line.source == "text" and product in codes:
            line.evidence.append(f"{product} influenza vaccine of the {season} season")
            line.procedure_code = codes[product]
            continue
        suggestions = [codes[product]] if product in codes else sorted(codes.values())
        result.review_reasons.append(reason("flu-product-season", (
            f"{line.procedure_code} is not an influenza vaccine product of the {season} season: a person checks "
            "the product given (NDC on the vial)"), suggestions))  # fmt: skip


def code_services(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    rules = payer_rules.rules_for(visit, tables)
    procedures = code_procedures(visit, tables, result)
    flu_vaccine_season(procedures, tables, visit.service_date, result)
    payer_rules.administration_lines(procedures, tables, rules)
    payer_rules.waived_test_modifier(procedures, tables, rules)
    result.review_reasons += payer_rules.not_covered(procedures, rules)
    diagnoses = [d.code for d in result.diagnoses]
    lines = visit_em.code_em(visit, tables, rules, procedures, diagnoses, result.review_reasons) + procedures
    modifiers.separate_em_modifier(lines, tables)
    if visit.visit_type == "telehealth":
        modifiers.telehealth_modifier(lines, tables, rules)
    result.review_reasons += edits.procedure_pairs(lines, tables, visit.service_date)
    result.review_reasons += edits.add_ons(lines, tables)
    result.review_reasons += edits.unit_limits(lines, tables)
    for line in lines:
        if len(line.modifiers) > modifiers.MAX_MODIFIERS:
            result.review_reasons.append(reason("modifiers", f"{line.procedure_code} has more than four modifiers"))
            del line.modifiers[modifiers.MAX_MODIFIERS :]  # the encounter goes to a person; the draft stays valid
    result.service_lines.extend(lines)
    assign_pointers(tables, result)


def assign_pointers(tables: ReferenceTables, result: CodingResult) -> None:
    """Each line points at up to four claim diagnoses that justify it, the most relevant first;
    a procedure whose catalog entry names supporting diagnoses and finds none goes to review.
    A problem E/M beside a preventive service points at the problems, not the exam."""
    codes = [d.code for d in result.diagnoses]
    everything = list(range(1, min(len(codes), MAX_POINTERS) + 1)) or [1]
    preventive_day = any(tables.catalog[ln.procedure_code].kind in modifiers.PREVENTIVE_KINDS
                         for ln in result.service_lines)  # fmt: skip
    problem_pointers = [n for n, code in enumerate(codes, start=1) if visit_em.problems([code])][:MAX_POINTERS]
    for line in result.service_lines:
        entry = tables.catalog.get(line.procedure_code)
        if preventive_day and em.is_office_em(line.procedure_code) and problem_pointers:
            line.diagnosis_pointers = problem_pointers
            continue
        if entry is None or not entry.supports or line.source == "em-rules":
            line.diagnosis_pointers = everything
            continue
        supporting = [n for n, code in enumerate(codes, start=1) if code.startswith(entry.supports)]
        if not supporting:
            result.review_reasons.append(reason(
                "line-unsupported", f"no diagnosis supports {line.procedure_code} ({entry.label})"))  # fmt: skip
            line.diagnosis_pointers = everything
            continue
        others = [n for n in range(1, len(codes) + 1) if n not in supporting]
        line.diagnosis_pointers = (supporting + others)[:MAX_POINTERS]
