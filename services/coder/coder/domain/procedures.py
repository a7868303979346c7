"""Service lines of a visit: procedures from codes or text (procedure_text.py), vaccines (vaccines.py), the
payer's rules (payer_rules.py), the E/M (visit_em.py), modifiers (modifiers.py), NCCI edits (edits.py) and
diagnosis pointers (pointers.py)."""

from __future__ import annotations

from coder.domain import edits, modifiers, payer_rules, procedure_text, vaccines, visit_em
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.payer_rules import place_of_service
from coder.domain.pointers import assign_pointers
from coder.domain.vaccines import Draft, draft
from shared.schemas import CodedServiceLine, ReviewReason, Visit

__all__ = ["assign_pointers", "code_procedures", "code_services", "place_of_service"]

TOE_DIGITS = {"LT": "TA", "RT": "T5"}  # great toe: the digit modifier takes the place of LT/RT
EM_ADD_ONS = ("99417", "G2212", "G2211")  # listed right after the E/M they extend
_PARSED: dict[tuple[int, str], procedure_text.ParsedText] = {}


def reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


def parsed(text: str, tables: ReferenceTables) -> procedure_text.ParsedText:
    key = (id(tables.procedure_terms), text)
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) > 50_000:
            _PARSED.clear()
        found = _PARSED[key] = procedure_text.parse(text, tables.procedure_terms, tables.longest_term)
    return found


def _side_modifier(code: str, side: str | None, words: str, tables: ReferenceTables) -> str | None:
    entry = tables.catalog.get(code)
    if side is None or entry is None or not entry.sided:
        return None
    return TOE_DIGITS.get(side, side) if "great toe" in words else side


def code_procedures(visit: Visit, tables: ReferenceTables, result: CodingResult) -> list[Draft]:
    """Drafted lines for the documented procedures: a supplied code as given; text read for its services."""
    drafts: list[Draft] = []
    for position, proc in enumerate(visit.procedures, start=1):
        if proc.code:
            if proc.code not in tables.catalog:
                result.review_reasons.append(
                    reason("proc-unknown", f"procedure {position}: {proc.code} is not in the procedure catalog")
                )
                continue
            d = draft(proc.code, proc.units, "supplied", position, [proc.code])
            d.line.modifiers.extend(proc.modifiers)
            drafts.append(d)
            continue
        text = parsed(proc.text or "", tables)
        if "flu-unnamed" in text.flags and not text.lines:
            result.review_reasons.append(vaccines.unnamed_flu_product(tables, visit.service_date))
            continue
        if not text.lines:
            if "bundled" not in text.flags:
                result.review_reasons.append(
                    reason("proc-text-unmatched", f"procedure {position}: no code for the text given")
                )
            continue
        for found in text.lines:
            if found.code not in tables.catalog:
                result.review_reasons.append(reason("proc-unknown", f"procedure {position}: {found.code} is not in "
                                                    "the procedure catalog"))  # fmt: skip
                continue
            units = found.units if proc.units == 1 else proc.units
            evidence = [text.words] + ([f"site: {text.site}"] if text.site else [])
            if found.needs_dose:
                result.review_reasons.append(reason("drug-dose-missing", (
                    f"procedure {position}: {found.code} is billed by dose and no dose is written: a person "
                    "gives the units"), [found.code]))  # fmt: skip
            d = draft(found.code, units, "text", position, evidence, implied=found.implied, site=text.site,
                      repair_cm=text.repair_cm, flags=text.flags)  # fmt: skip
            d.line.modifiers.extend(proc.modifiers)
            side = _side_modifier(found.code, text.side, text.words, tables)
            if side and side not in d.line.modifiers:
                d.line.modifiers.append(side)
            drafts.append(d)
    return drafts


def consolidate(drafts: list[Draft]) -> list[Draft]:
    """One line per service: the same code written as a code and as text is one service; simple repairs add
    their lengths (CPT); a punch biopsy makes tangential ones add-ons (11103); otherwise the units of the same
    code and modifiers documented in separate items add up, on the first line."""
    repairs = [d for d in drafts if d.repair_cm]
    if len(repairs) > 1:
        total = sum(d.repair_cm for d in repairs)
        repairs[0].line.procedure_code = procedure_text.repair_code(total)
        repairs[0].line.evidence.append(f"simple repairs added: {total:g} cm")
        merged = {id(d) for d in repairs[1:]}
        drafts = [d for d in drafts if id(d) not in merged]
    if any(d.code == "11104" for d in drafts):
        for d in drafts:
            if d.code == "11102":
                d.line.procedure_code = "11103"
    if any(d.code == "96372" and not d.implied for d in drafts):
        # the injection is documented in its own right: the drugs' routes do not add more
        drafts = [d for d in drafts if not (d.code == "96372" and d.implied)]
    supplied = {d.code for d in drafts if d.origin == "supplied"}
    out: list[Draft] = []
    for d in drafts:
        same = next((o for o in out if o.code == d.code and o.line.modifiers == d.line.modifiers), None)
        if same is None:
            out.append(d)
        elif d.code in supplied and {same.origin, d.origin} == {"supplied", "text"}:
            same.line.evidence.append("documented as a code and as text: one service")
        else:
            same.line.units += d.line.units
    return out


def _em_first(lines: list[CodedServiceLine]) -> list[CodedServiceLine]:
    def rank(line: CodedServiceLine) -> int:
        return 0 if line.source == "em-rules" else 1 if line.procedure_code in EM_ADD_ONS else 2

    return sorted(lines, key=rank)  # stable: documented order within each rank


VISIT_KINDS = ("em", "preventive", "wellness")


def supplied_visits(
    visit: Visit,
    tables: ReferenceTables,
    ems: list[CodedServiceLine],
    procedures: list[CodedServiceLine],
    result: CodingResult,
) -> list[CodedServiceLine]:
    """An E/M the EHR sent as a code is checked against the documentation: the same as the one the rules
    find is one line; another level, or a level with no time or MDM behind it, goes to a person."""
    sent = [ln for ln in procedures if tables.catalog[ln.procedure_code].kind in VISIT_KINDS]
    if not sent:
        return procedures
    found = {ln.procedure_code for ln in ems}
    duplicates = {id(ln) for ln in sent if ln.procedure_code in found}
    kept = [ln for ln in procedures if id(ln) not in duplicates]
    for line in sent:
        if line.procedure_code in found:
            continue
        if not ems and visit.visit_type == "nurse" and line.procedure_code == "99211":
            continue  # a clinical-staff visit the EHR coded itself (edits drop it beside an injection)
        documented = ", ".join(sorted(found)) or "no level (neither time nor MDM documented)"
        result.review_reasons.append(reason("em-supplied-differs", (
            f"the EHR sent {line.procedure_code}; the documentation supports {documented}: a person decides the "
            "visit code"), [*sorted(found), line.procedure_code]))  # fmt: skip
    return kept


def code_services(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    rules = payer_rules.rules_for(visit, tables)
    drafts = code_procedures(visit, tables, result)
    vaccines.flu_season(drafts, tables, visit.service_date, result.review_reasons)
    drafts = payer_rules.administration_lines(drafts, tables, rules)
    drafts = consolidate(vaccines.administer(drafts, visit, tables, rules))
    payer_rules.waived_test_modifier(drafts, tables, rules)
    procedures = [d.line for d in drafts]
    result.review_reasons += payer_rules.not_covered(procedures, rules)
    result.review_reasons += payer_rules.payer_administration(drafts, tables, rules)
    diagnoses = [d.code for d in result.diagnoses]
    ems = visit_em.code_em(visit, tables, rules, procedures, diagnoses, result.review_reasons)
    procedures = supplied_visits(visit, tables, ems, procedures, result)
    lines = _em_first(ems + procedures)
    payer_rules.ippe_ecg(lines, rules)
    modifiers.separate_em_modifier(lines, tables, diagnoses, result.review_reasons)
    if visit.visit_type == "telehealth":
        modifiers.telehealth_modifier(lines, tables, rules)
    sites = {id(d.line): d.site for d in drafts if d.site}
    result.review_reasons += edits.procedure_pairs(lines, tables, visit.service_date, sites)
    result.review_reasons += edits.add_ons(lines, tables)
    result.review_reasons += edits.unit_limits(lines, tables)
    for line in lines:
        if len(line.modifiers) > modifiers.MAX_MODIFIERS:
            result.review_reasons.append(reason("modifiers", f"{line.procedure_code} has more than four modifiers"))
            del line.modifiers[modifiers.MAX_MODIFIERS :]  # the encounter goes to a person; the draft stays valid
    result.service_lines.extend(lines)
    vaccines.immunization_diagnosis(result, tables)
    assign_pointers(tables, result)
    if not result.service_lines and not result.review_reasons:
        result.review_reasons.append(reason("no-service", "nothing billable documented: a person decides"))
