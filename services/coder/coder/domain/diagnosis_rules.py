"""Reasoning over the whole diagnosis list, as the ICD-10-CM Official Guidelines ask:

- I.C.9.a: hypertension with CKD and/or heart failure is a combination (I11.0, I12.x, I13.x)
  with the N18 stage and the I50 type beside it; I10 never stands next to them;
- I.A.15 "with": diabetes and a listed complication are one combination code (E11.22, E11.42,
  E11.65, ...), the complication kept only when the tabular asks for it as an additional code;
- I.B.5: signs and symptoms routinely part of a confirmed diagnosis are not coded;
- contradictory pairs (E11.9 beside another E11 code, Z00.00 beside Z00.01) are resolved by a
  combination rule or sent to a person;
- "code first" notes put the etiology before the manifestation; "use additional code" notes of
  the combination codes are completed (the unspecified default when the text gave no detail,
  a person's choice when a supplied code lacks it)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from coder.domain import icd10
from coder.domain.rule_rows import rows_for as _rows_for
from coder.domain.rule_rows import rows_with as _rows_with
from coder.domain.text_index import DiagnosisData
from shared.schemas import ReviewReason

DIABETES = ("E08", "E09", "E10", "E11", "E13")
HYPERTENSIVE = ("I11", "I12", "I13")
# I.C.9.a.1: heart conditions other than failure that, with hypertension, are hypertensive heart disease
HYPERTENSIVE_HEART = ("I51.4", "I51.5", "I51.7", "I51.89", "I51.9")
CONTRADICTORY = (("Z00.00", "Z00.01"), ("Z00.121", "Z00.129"), ("Z00.110", "Z00.111"))


@dataclass(frozen=True)
class Coded:
    code: str
    confidence: float
    source: Literal["supplied", "text"]
    evidence: list[str] = field(default_factory=list)


def _reason(code: str, message: str, suggestions: list[str]) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions)


def _categories(coded: list[Coded]) -> set[str]:
    return {c.code[:3] for c in coded}


def _weakest(items: list[Coded]) -> float:
    return min((c.confidence for c in items), default=1.0)


def hypertension(coded: list[Coded]) -> list[Coded]:
    """I.C.9.a: the link between hypertension and CKD / heart failure is presumed."""
    htn = [c for c in coded if c.code == "I10" or c.code.startswith(HYPERTENSIVE)]
    if not htn:
        return coded
    ckd = [c for c in coded if c.code.startswith("N18")]
    hf = [c for c in coded if c.code.startswith("I50")]
    heart = [c for c in coded if c.code.startswith(HYPERTENSIVE_HEART)]  # inside the combination: not listed
    stage5 = any(c.code in ("N18.5", "N18.6") for c in ckd)
    if ckd and hf:
        target = "I13.2" if stage5 else "I13.0"
    elif ckd and heart:
        target = "I13.11" if stage5 else "I13.10"
    elif ckd:
        target = "I12.0" if stage5 else "I12.9"
    elif hf:
        target = "I11.0"
    elif heart:
        target = "I11.9"
    elif any(c.code != "I10" for c in htn):  # a hypertensive combination already: I10 says the same again
        return [c for c in coded if c.code != "I10"]
    else:
        return coded
    group = htn + hf + ckd + heart
    first = min(coded.index(c) for c in group)
    named = (("heart failure", hf), ("heart disease", heart if not hf else []), ("CKD", ckd))
    combined = Coded(target, _weakest(group), "text",
                     ["hypertension with " + " and ".join(n for n, g in named if g) + " (I.C.9.a)"])  # fmt: skip
    rest = [c for c in coded if c not in group]
    return [*rest[:first], combined, *hf, *ckd, *rest[first:]]


def kidney_stage(coded: list[Coded]) -> list[Coded]:
    """One CKD stage on a claim. I.C.14.a.1: a stage and ESRD both documented -> N18.6 only; and an
    unspecified stage (N18.9, "ckd" said in passing) says less than a stage documented beside it."""
    stages = {c.code for c in coded if c.code.startswith("N18")}
    if len(stages) < 2:
        return coded
    drop = stages - {"N18.6"} if "N18.6" in stages else stages & {"N18.9"}
    return [c for c in coded if c.code not in drop]


def diabetes(coded: list[Coded], data: DiagnosisData) -> tuple[list[Coded], list[ReviewReason]]:
    """I.A.15: diabetes "with" a complication the index lists is coded as the combination."""
    dm = [c for c in coded if c.code.startswith(DIABETES)]
    categories = sorted({c.code[:3] for c in dm})
    if not dm:
        return coded, []
    if len(categories) > 1:
        return coded, [_reason("dx-contradictory", f"two types of diabetes are documented ({', '.join(categories)}): "
                               "the provider confirms one", sorted(c.code for c in dm))]  # fmt: skip
    category = categories[0]
    dropped: list[Coded] = []
    made: list[Coded] = []
    present = _categories(coded)
    for condition, suffix, keep in _rows_with(data.diabetes, present):
        for c in coded:
            if c.code.startswith(condition) and c not in dropped:
                combination = category + suffix
                if icd10.is_billable(combination) and combination not in (m.code for m in made + dm):
                    made.append(Coded(combination, min(c.confidence, _weakest(dm)), "text",
                                      [f"diabetes with {c.code} (I.A.15)"]))  # fmt: skip
                if not keep:
                    dropped.append(c)
    first = coded.index(dm[0])
    out = [c for c in coded[:first] if c not in dropped] + made + [c for c in coded[first:] if c not in dropped]
    reasons: list[ReviewReason] = []
    plain = [c for c in out if c.code == f"{category}.9"]
    others = [c for c in out if c.code.startswith(category) and c.code != f"{category}.9"]
    if plain and others:
        if all(c.source == "supplied" for c in plain + others) and not made:
            reasons.append(_reason("dx-contradictory", f"{category}.9 (without complications) is listed with "
                                   f"{', '.join(c.code for c in others)}: keep the complication codes",
                                   [c.code for c in others] + [f"{category}.9"]))  # fmt: skip
        else:
            out = [c for c in out if c not in plain]
    if category == "E10":  # I.C.4.a.3: insulin is implied in type 1
        out = [c for c in out if c.code != "Z79.4"]
    return out, reasons


def integral_symptoms(coded: list[Coded], data: DiagnosisData) -> list[Coded]:
    """I.B.5: a symptom routinely part of a confirmed diagnosis on the list is not coded."""

    present = _categories(coded)
    rows = _rows_for(data.integral, present)

    def integral(c: Coded) -> bool:
        return any(c.code.startswith(symptom) and any(o.code.startswith(dx) for o in coded if o is not c)
                   for dx, symptom in rows)  # fmt: skip

    return [c for c in coded if not integral(c)]


def code_first(coded: list[Coded]) -> list[Coded]:
    """Tabular "code first" notes: the named code goes before the one carrying the note."""
    out = list(coded)
    for c in list(out):
        refs = icd10.code_first_refs(c.code)
        if not refs:
            continue
        position = out.index(c)
        for later in out[position + 1 :]:
            if any(r.matches(later.code) for r in refs):
                out.remove(later)
                out.insert(out.index(c), later)
    return out


def completeness(coded: list[Coded], data: DiagnosisData) -> tuple[list[Coded], list[ReviewReason]]:
    """A combination code whose tabular note asks for another code: the default when the text
    named no detail, a person's choice when a supplied code came without it."""
    out, reasons = list(coded), []
    present = _categories(coded)
    for prefix, needed, choices in _rows_with(data.needs, present):
        for c in [c for c in out if c.code.startswith(prefix)]:
            if any(o.code.startswith(needed) for o in out):
                continue
            if c.source == "text":
                default = Coded(choices[0], c.confidence, "text", [f"{c.code} needs {needed[0]}-: not specified"])
                out.insert(out.index(c) + 1, default)
            else:
                reasons.append(_reason("dx-needs-additional", f"{c.code} needs an additional code ({needed[0]}-, "
                                       "use additional code): choose the documented one", list(choices)))  # fmt: skip
    return out, reasons


def contradictions(coded: list[Coded], data: DiagnosisData) -> list[ReviewReason]:
    reasons = []
    present = _categories(coded)
    for first, second in (*_rows_for(CONTRADICTORY, present), *_rows_for(data.contradictory, present)):
        a = [c.code for c in coded if c.code.startswith(first)]
        b = [c.code for c in coded if c.code.startswith(second)]
        if first == second:  # a row A,A: one code of A only
            a, b = a[:1], [c for c in a if c != a[0]][:1]
        if a and b and a != b:
            reasons.append(_reason("dx-contradictory", f"{a[0]} and {b[0]} contradict each other: the note (or the "
                                   "provider) decides which", [b[0], a[0]]))  # fmt: skip
    return reasons


def pairs(coded: list[Coded], data: DiagnosisData) -> list[Coded]:
    """Two codes the Index/Tabular join or rank (combination_rules.csv, kind=pair): A becomes
    the combination (or goes, when B says it more precisely); B stays or goes as the row says."""
    out = list(coded)
    for first, second, becomes, kept in _rows_for(data.pairs, _categories(out)):
        a = next((c for c in out if c.code.startswith(first)), None)
        b = next((c for c in out if c.code.startswith(second) and c is not a), None)
        if a is None or b is None:
            continue
        made = [Coded(code, min(a.confidence, b.confidence), "text", [f"{a.code} with {b.code}"]) for code in becomes]
        position = out.index(a)
        out[position : position + 1] = [m for m in made if m.code not in (o.code for o in out)]
        if not kept:
            out.remove(b)
    return out


WEIGHT_DIAGNOSES = ("E66", "E44", "E45", "E46", "R63", "E88.8", "Z71.3")


def body_mass_index(coded: list[Coded]) -> list[Coded]:
    """I.C.21.c.3: an adult BMI code only beside a weight diagnosis the provider documented; a pediatric
    percentile (Z68.5-, ages 2-19) is reported from the well-child measurement as the corpus conventions say."""
    if any(c.code.startswith(WEIGHT_DIAGNOSES) for c in coded):
        return coded
    return [c for c in coded if not c.code.startswith("Z68") or c.code.startswith("Z68.5")]


def apply_list_rules(
    coded: list[Coded], data: DiagnosisData, hypertension_linked: bool = True
) -> tuple[list[Coded], list[ReviewReason]]:
    coded, reasons = diabetes(coded, data)
    coded, missing = completeness(coded, data)  # a default stage (D63.1 -> N18.9) joins the combinations below
    if hypertension_linked:  # I.C.9.a: presumed unless the provider says the conditions are unrelated
        coded = hypertension(kidney_stage(coded))
    coded = pairs(coded, data)
    coded = integral_symptoms(coded, data)
    coded = body_mass_index(coded)
    coded, more = completeness(coded, data)
    missing += [r for r in more if r not in missing]
    coded = code_first(kidney_stage(coded))
    unique: list[Coded] = []
    for c in coded:
        if c.code not in (u.code for u in unique):  # the same diagnosis twice: a claim lists it once
            unique.append(c)
        else:
            i = next(n for n, u in enumerate(unique) if u.code == c.code)
            unique[i] = replace(unique[i], evidence=[*unique[i].evidence, *c.evidence])
    return unique, reasons + missing + contradictions(unique, data)
