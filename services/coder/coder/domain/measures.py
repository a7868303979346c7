"""Measures written in a diagnosis list: body mass index (adult value or pediatric percentile) and
readings that make no diagnosis ("BP 128/82", "wt 212 lb").

I.C.21.c.3: an adult BMI (Z68.1-Z68.45) is reported from the documented value; a pediatric one
(Z68.51-Z68.56, ages 2-19) from the percentile for age. Whether either is reported at all (only
beside a weight diagnosis for adults) is a list rule (diagnosis_rules.body_mass_index)."""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10_cm as icd

_BMI = re.compile(r"(?:body mass index|bmi)(?: of| is)? (\d{2})(?: (\d))?")
# "bmi 96th %ile", "BMI <5th percentile for age", "p95": on the lower-case text, before punctuation goes
_PERCENTILE = re.compile(
    r"^(?:(?:bmi|body mass index)\s*(?:of|is|at|:)?\s*)?(?:(?P<below><|less than|below)\s*)?"
    r"(?:p(?P<p>\d{1,2})|(?P<n>\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:%\s*ile|percentile|pctl|centile|%|ile))"
    r"(?:\s*(?:for age|percentile))?$"
)
# (upper bound of the percentile, exclusive, code) by the FY2026 titles of Z68.51-Z68.54
PEDIATRIC = ((5.0, "Z68.51"), (85.0, "Z68.52"), (95.0, "Z68.53"), (101.0, "Z68.54"))
PEDIATRIC_AGES = (2, 20)  # years: Z68.5- is for ages 2-19 (chapter 21 note)


@lru_cache(maxsize=1)
def _bmi_ranges() -> tuple[tuple[float, float, str], ...]:
    """Adult BMI codes with the range their FY title names ("Body mass index [BMI] 33.0-33.9, adult")."""
    ranges = []
    for code in icd.get_descendants("Z68"):
        title = icd.get_description(code)
        if not icd.is_leaf(code) or "adult" not in title:
            continue
        if m := re.search(r"(\d+(?:\.\d)?)-(\d+(?:\.\d)?)", title):
            ranges.append((float(m[1]), float(m[2]) + 0.05, code))
        elif m := re.search(r"(\d+(?:\.\d)?) or less", title):
            ranges.append((0.0, float(m[1]) + 0.05, code))
        elif m := re.search(r"(\d+(?:\.\d)?) or greater", title):
            ranges.append((float(m[1]), 1000.0, code))
    return tuple(sorted(ranges))


def bmi_code(norm: str) -> str | None:
    """An adult BMI value ("bmi 34 2" once normalised) -> its Z68 code."""
    if not (m := _BMI.fullmatch(norm)):
        return None
    value = float(f"{m[1]}.{m[2] or 0}")
    return next((code for low, high, code in _bmi_ranges() if low <= value < high), None)


def percentile_code(low: str) -> str | None:
    """A pediatric BMI percentile as written ("bmi 96th %ile", "p95", "bmi <5th percentile") -> Z68.5x."""
    if not (m := _PERCENTILE.match(low.strip())):
        return None
    value = float(m["p"] or m["n"]) - (0.5 if m["below"] else 0.0)
    return next(code for limit, code in PEDIATRIC if value < limit)


def wrong_age(codes: list[str], years: int) -> str | None:
    """A pediatric BMI code outside ages 2-19, or an adult one under 20: the code that does not fit."""
    low, high = PEDIATRIC_AGES
    for code in codes:
        if not code.startswith("Z68"):
            continue
        if (not low <= years < high) if code.startswith("Z68.5") else years < high:
            return code
    return None
