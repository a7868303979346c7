"""Service lines of a visit: procedures from codes or text (procedure_text.py), vaccines (vaccines.py), the
payer's rules (payer_rules.py), the E/M (visit_em.py), modifiers (modifiers.py), NCCI edits (edits.py) and
diagnosis pointers (pointers.py)."""

from __future__ import annotations

from coder.domain import edits, lab_panels, laterality, modifiers, payer_rules, procedure_text, vaccines, visit_em
from coder.domain.model import CodingResult, ReferenceTables
from coder.domain.payer_rules import place_of_service
from coder.domain.pointers import assign_pointers
from coder.domain.vaccines import Draft, draft
from shared.schemas import CodedServiceLine, ReviewReason, Visit

__all__ = ["assign_pointers", "code_procedures", "code_services", "place_of_service"]

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
        found = _PARSED[key] = procedure_text.parse(
            text, tables.procedure_terms, tables.longest_term, tables.procedure_words, tables.imaging
        )
    return found


def digits(words: str, side: str | None, tables: ReferenceTables) -> list[str]:
    """The digit modifiers of the fingers and toes a text names, in order, each with the side written before it
    ("L great toe and L second toe" -> TA, T1); none when a digit's side is not written."""
    found: list[str] = []
    current = side if side in ("LT", "RT") else None
    ws = words.split()
    for i, w in enumerate(ws):
        current = {"left": "LT", "right": "RT"}.get(w, current)
        for size in (3, 2, 1):  # "2nd toe" is three tokens (2, nd, toe)
            digit = " ".join(ws[i : i + size])
            modifier = tables.digit_modifiers.get((digit, current or ""))
            if modifier:
                found.append(modifier)
                break
    return found


def _side_modifier(code: str, side: str | None, words: str, tables: ReferenceTables) -> str | None:
    entry = tables.catalog.get(code)
    if side is None or entry is None or not entry.sided:
        return None
    named = digits(words, side, tables)
    return named[0] if named else side


def _per_digit_add_on(code: str, tables: ReferenceTables) -> str | None:
    """The add-on billed for each further digit of a sided per-digit code (11730 -> 11732), from the add-on table."""
    found = [a.code for a in tables.add_ons.values() if a.primaries == (code,) and tables.catalog.get(a.code)
             and tables.catalog[a.code].sided and tables.catalog[code].sided]  # fmt: skip
    return found[0] if len(found) == 1 else None


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
        unnamed = next((f.partition("=")[2] for f in sorted(text.flags) if f.startswith("vaccine-unnamed=")), None)
        if unnamed is not None:
            result.review_reasons.append(vaccines.unnamed_product(unnamed, position))
        views = next((f.partition("=")[2] for f in sorted(text.flags) if f.startswith("imaging-views=")), None)
        if views is not None:
            unnamed = views
            result.review_reasons.append(reason("imaging-views", (f"procedure {position}: a radiograph without its "
                                                "number of views: a person reads them from the report"),
                                                views.split(";")))  # fmt: skip
        if not text.lines:
            # "bundled", an unnamed vaccine (said above) or counselling written as its own item: no line of its own
            if not {"bundled", "counselled"} & text.flags and unnamed is None:
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
            further = _per_digit_add_on(found.code, tables) or ""
            for digit in digits(text.words, text.side, tables)[1:] if further else []:
                drafts.append(draft(further, 1, "text", position, [*evidence, f"further digit ({digit})"],
                                    site=text.site))  # fmt: skip
                drafts[-1].line.modifiers.append(digit)
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


VISIT_KINDS = ("em", "preventive", "wellness", "prolonged")  # prolonged: only when the documented time reaches it


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
    for line in sent:
        same = next((ln for ln in ems if ln.procedure_code == line.procedure_code), None)
        if same is not None and line.units > same.units:
            message = (f"the EHR sent {line.procedure_code} x{line.units}; the documentation supports {same.units} "
                       "unit(s) (one visit code a day, MUE): a person checks the units")  # fmt: skip
            result.review_reasons.append(reason("mue", message, [f"{same.procedure_code}x{same.units}"]))
    kept = [ln for ln in procedures if id(ln) not in duplicates]
    for line in sent:
        if line.procedure_code in found:
            continue
        primaries = tables.add_ons[line.procedure_code].primaries if line.procedure_code in tables.add_ons else ()
        if primaries and not found & set(primaries):
            continue  # a prolonged-time add-on without its level-5 E/M: the add-on edit says so
        if not ems and visit.visit_type == "nurse" and line.procedure_code == "99211":
            if len(kept) > 1:  # the injection, vaccine or test is the service: no 99211 beside it (CPT, NCCI)
                kept = [ln for ln in kept if ln is not line]
            continue  # otherwise a clinical-staff visit the EHR coded itself
        documented = ", ".join(sorted(found)) or "no level (neither time nor MDM documented)"
        result.review_reasons.append(reason("em-supplied-differs", (
            f"the EHR sent {line.procedure_code}; the documentation supports {documented}: a person decides the "
            "visit code"), [*sorted(found), line.procedure_code]))  # fmt: skip
    return kept


HANDS_ON = frozenset({"injection", "drug", "vaccine", "vaccine-admin", "procedure"})


def _hands_on(lines: list[CodedServiceLine], tables: ReferenceTables) -> list[ReviewReason]:
    """A telehealth visit cannot deliver an injection, vaccine or procedure: either the visit was in person
    (no telehealth modifier or place of service) or the service was another encounter."""
    found = [ln.procedure_code for ln in lines if tables.catalog[ln.procedure_code].kind in HANDS_ON]
    if not found:
        return []
    message = (f"a telehealth visit documents {', '.join(found)}, which is given in person: a person decides whether "
               "the visit was in the office or the service another encounter")  # fmt: skip
    return [reason("telehealth-in-person-service", message, found)]


def code_services(visit: Visit, tables: ReferenceTables, result: CodingResult) -> None:
    rules = payer_rules.rules_for(visit, tables)
    drafts = code_procedures(visit, tables, result)
    vaccines.age_forms(drafts, visit, tables)
    result.review_reasons += laterality.missing_sides(drafts, tables) + edits.written_counts(drafts, tables)
    vaccines.flu_season(drafts, tables, visit.service_date, result.review_reasons)
    drafts = payer_rules.administration_lines(drafts, tables, rules)
    drafts = consolidate(vaccines.administer(drafts, visit, tables, rules))
    payer_rules.waived_test_modifier(drafts, tables, rules)
    procedures = [d.line for d in drafts]
    result.review_reasons += payer_rules.not_covered(procedures, rules)
    diagnoses = [d.code for d in result.diagnoses]
    result.review_reasons += payer_rules.part_d_vaccines(procedures, rules, diagnoses)
    result.review_reasons += payer_rules.payer_administration(drafts, tables, rules)
    ems = visit_em.code_em(visit, tables, rules, procedures, diagnoses, result.review_reasons)
    procedures = supplied_visits(visit, tables, ems, procedures, result)
    lines = _em_first(ems + procedures)
    payer_rules.ippe_ecg(lines, rules)
    modifiers.separate_em_modifier(lines, tables, diagnoses, result.review_reasons)
    if visit.visit_type == "telehealth":
        modifiers.telehealth_modifier(lines, tables, rules)
        result.review_reasons += _hands_on(lines, tables)
    lab_panels.apply(lines, tables)
    result.review_reasons += laterality.side_conflicts(lines, diagnoses, tables)
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
