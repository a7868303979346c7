"""Vaccines: the influenza product of the season, and one administration per vaccine given.

Administration (CPT and CMS): with a physician's counselling, patients through age 18 get 90460 per
vaccine and 90461 per further antigen; otherwise 90471 for the first vaccine and 90472 for each further
one; Medicare pays its own G0008 influenza, G0009 pneumococcal, G0010 hepatitis B instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coder.domain import em, icd10, procedure_text
from coder.domain.model import CodingResult, FluVaccineProduct, PayerRules, ReferenceTables
from shared.schemas import CodedDiagnosis, CodedServiceLine, ReviewReason, Visit

COUNSELLING_AGE_LIMIT = 18  # 90460/90461: patients through age 18


@dataclass
class Draft:
    """A service line while it is being coded, with what the text said about it."""

    line: CodedServiceLine
    origin: str  # supplied (a code) or text
    item: int  # which documented procedure it came from
    implied: bool = False
    site: str | None = None
    repair_cm: float = 0.0
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def code(self) -> str:
        return self.line.procedure_code


def draft(code: str, units: int, origin: str, item: int, evidence: list[str], **kw: object) -> Draft:
    line = CodedServiceLine(procedure_code=code, modifiers=[], units=units, diagnosis_pointers=[1],
                            source="supplied" if origin == "supplied" else "text", evidence=evidence)  # fmt: skip
    # kw carries the Draft's optional fields by name; their types are checked where draft() is called
    return Draft(line, origin, item, **kw)  # type: ignore[arg-type]


_SEASONS: dict[tuple[int, date], tuple[str, dict[str, str]]] = {}


def season_products(products: tuple[FluVaccineProduct, ...], on: date) -> tuple[str, dict[str, str]]:
    """The flu season in force on a date (the newest loaded when past it) and its product -> code."""
    key = (id(products), on)
    found = _SEASONS.get(key)
    if found is None:
        if len(_SEASONS) > 10_000:
            _SEASONS.clear()
        found = _SEASONS[key] = _season_products(products, on)
    return found


def _season_products(products: tuple[FluVaccineProduct, ...], on: date) -> tuple[str, dict[str, str]]:
    seasons = sorted({(p.effective_from, p.effective_to, p.season) for p in products})
    if not seasons:
        return "", {}
    chosen = next((s for s in seasons if s[0] <= on <= s[1]), None)
    if chosen is None:
        earlier = [s for s in seasons if s[0] <= on]
        chosen = earlier[-1] if earlier else seasons[0]
    return chosen[2], {p.product: p.code for p in products if p.season == chosen[2]}


def flu_season(drafts: list[Draft], tables: ReferenceTables, on: date, reasons: list[ReviewReason]) -> None:
    """Quadrivalent products until 2023-24, trivalent since: a product named in text gets its season's
    code; a supplied code of another season, or a flu shot without its product, goes to a person."""
    if not any(tables.catalog[d.code].group == "influenza" for d in drafts):
        return
    season, codes = season_products(tables.flu_products, on)
    if not codes:
        return
    product_of = _product_of(tables.flu_products)
    for d in drafts:
        entry = tables.catalog[d.code]
        if entry.group != "influenza" or entry.kind != "vaccine" or d.code in codes.values():
            continue
        product = product_of.get(d.code)
        if d.origin == "text" and product in codes:
            d.line.evidence.append(f"{product} influenza vaccine of the {season} season")
            d.line.procedure_code = codes[product]
            continue
        suggestions = [codes[product]] if product in codes else sorted(codes.values())
        reasons.append(ReviewReason(code="flu-product-season", suggestions=suggestions, message=(
            f"{d.code} is not an influenza vaccine product of the {season} season: a person checks the product "
            "given (NDC on the vial)")))  # fmt: skip


_PRODUCTS: dict[int, dict[str, str]] = {}


def _product_of(products: tuple[FluVaccineProduct, ...]) -> dict[str, str]:
    found = _PRODUCTS.get(id(products))
    if found is None:
        found = _PRODUCTS[id(products)] = {p.code: p.product for p in products}
    return found


def age_forms(drafts: list[Draft], visit: Visit, tables: ReferenceTables) -> None:
    """A vaccine named without its formulation takes the child or the adult product by the patient's age
    (vaccine_age_forms.csv: hepatitis A 90633/90632, hepatitis B 90744/90746)."""
    age = em.age_on(visit.patient.birth_date, visit.service_date)
    for d in drafts:
        form = tables.age_forms.get(d.code)
        if d.origin == "text" and form is not None and age <= form[1] and form[0] in tables.catalog:
            d.line.evidence.append(f"pediatric formulation {form[0]}: age {age}")
            d.line.procedure_code = form[0]


def unnamed_product(candidates: str, position: int) -> ReviewReason:
    codes = [c for c in candidates.split(";") if c]
    return ReviewReason(code="vaccine-product-unnamed", suggestions=codes, message=(
        f"procedure {position}: a vaccine named without its product ({', '.join(codes)} are candidates): a person "
        "checks the product given (NDC on the vial, lot in the immunization record)"))  # fmt: skip


def unnamed_flu_product(tables: ReferenceTables, on: date) -> ReviewReason:
    season, codes = season_products(tables.flu_products, on)
    return ReviewReason(code="flu-product-unnamed", suggestions=sorted(codes.values()), message=(
        f"an influenza vaccine without its product: a person chooses the {season} season's product code "
        "(standard, high-dose, adjuvanted, cell-based, recombinant, nasal)"))  # fmt: skip


def administer(drafts: list[Draft], visit: Visit, tables: ReferenceTables, rules: PayerRules) -> list[Draft]:
    """Adds the administration before each vaccine named in text when no administration was documented."""
    kinds = [tables.catalog[d.code].kind for d in drafts]
    if "vaccine-admin" in kinds or "vaccine" not in kinds:
        return drafts
    child = em.age_on(visit.patient.birth_date, visit.service_date) <= COUNSELLING_AGE_LIMIT
    # counselling is often written once for all the visit's vaccines ("MD counseled mother on each vaccine")
    counselled = any("counselled" in d.flags for d in drafts) or any(
        "counsel" in (p.text or "").lower() and procedure_text.counselled(" ".join(procedure_text.tokens(p.text or "")))
        for p in visit.procedures
    )
    out: list[Draft] = []
    generic = 0
    for d, kind in zip(drafts, kinds, strict=True):
        if kind != "vaccine" or d.origin != "text":
            out.append(d)
            continue
        entry = tables.catalog[d.code]
        evidence = [f"administration of {d.code}"] + ([f"site: {d.site}"] if d.site else [])
        site = {"site": d.site} if d.site else {}
        if child and counselled:
            out.append(draft("90460", 1, "text", d.item, [*evidence, "counselled by the physician"], implied=True,
                             **site))  # fmt: skip
            if entry.components > 1:
                out.append(draft("90461", entry.components - 1, "text", d.item, evidence, implied=True, **site))
        elif entry.group in rules.vaccine_administration:
            out.append(draft(rules.vaccine_administration[entry.group], 1, "text", d.item,
                             [*evidence, f"{rules.payer_id}: its own administration code"], implied=True,
                             **site))  # fmt: skip
        else:
            generic += 1
            out.append(draft(_administration(d.code, first=generic == 1), 1, "text", d.item, evidence, implied=True,
                             **site))  # fmt: skip
        out.append(d)
    return out


# Vaccine products given by nose or mouth (CPT descriptors "for intranasal use" / "for oral use": live influenza,
# rotavirus, oral typhoid, oral cholera): their administration is 90473 first, 90474 after another vaccine (CPT).
NASAL_OR_ORAL = frozenset({"90660", "90672", "90680", "90681", "90690", "90625"})


def _administration(product: str, first: bool) -> str:
    if product in NASAL_OR_ORAL:
        return "90473" if first else "90474"
    return "90471" if first else "90472"


IMMUNIZATION = "Z23"
MAX_CLAIM_DIAGNOSES = 12  # 837P HI segment / CMS-1500 box 21


def immunization_diagnosis(result: CodingResult, tables: ReferenceTables) -> None:
    """A vaccine given calls for Z23 (ICD-10-CM I.C.21.c.2): first-listed on a vaccine-only visit, after
    the visit's other diagnoses otherwise."""
    kinds = {tables.catalog[ln.procedure_code].kind for ln in result.service_lines}
    if "vaccine" not in kinds:
        return
    found = next((d for d in result.diagnoses if d.code == IMMUNIZATION), None)
    if found is None and len(result.diagnoses) >= MAX_CLAIM_DIAGNOSES:
        result.review_reasons.append(ReviewReason(code="dx-too-many", suggestions=[IMMUNIZATION], message=(
            f"Z23 for the vaccine would make {len(result.diagnoses) + 1} diagnoses; a claim carries "
            f"{MAX_CLAIM_DIAGNOSES}: a person chooses the twelve")))  # fmt: skip
        return
    if found is None:
        found = CodedDiagnosis(code=IMMUNIZATION, description=icd10.description(IMMUNIZATION), source="text",
                               confidence=1.0, evidence=["vaccine administered"])  # fmt: skip
        result.review_reasons[:] = [r for r in result.review_reasons if r.code != "dx-missing"]
    else:
        result.diagnoses.remove(found)
    if kinds <= {"vaccine", "vaccine-admin"}:
        result.diagnoses.insert(0, found)
    else:
        result.diagnoses.append(found)
