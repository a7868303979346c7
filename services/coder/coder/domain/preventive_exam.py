"""The preventive-exam diagnosis (Z00.0-/Z00.1-) of a preventive visit: the code for the patient's age and
findings (ICD-10-CM I.C.21.c.13), and the documented entries that are that exam rather than a condition."""

from __future__ import annotations

import re

from coder.domain.description_words import normalise_text
from shared.schemas import Visit

# (code without / with abnormal findings) by age: newborn under 8 days, 8-28 days, child, adult
EXAM_BY_AGE = ((8, ("Z00.110", "Z00.110")), (29, ("Z00.111", "Z00.111")), (18 * 365, ("Z00.129", "Z00.121")),
               (10**6, ("Z00.00", "Z00.01")))  # fmt: skip
# "abnormal finding: ...", "exam w/ abnormal findings: ..." (I.C.21.c.13: Z00.01 and the finding)
ABNORMAL_FINDING = re.compile(r"^\s*(?:(?:routine |annual |general |adult |child |well |physical |preventive )*"
                              r"(?:exam|examination|physical|checkup|visit)\s+(?:with|w/|w)\s+)?abnormal findings?"
                              r"\s*(?:[:\-]|on exam)?\s*", re.IGNORECASE)  # fmt: skip
# An entry that only names the preventive encounter itself ("annual physical exam", "4 yr well child check",
# "AWV subsequent", "welcome to medicare exam") is the exam code, not a condition to look up. Every word must
# be one of these, and one must name the encounter; "well woman" (Z01.41-) and "sports physical" (Z02.5) are
# other codes, so not here.
EXAM_WORDS = frozenset((
    "annual", "yearly", "routine", "general", "adult", "child", "pediatric", "paediatric", "adolescent",
    "teen", "newborn", "infant", "baby", "toddler", "well", "wellness", "physical", "physicals", "exam",
    "examination", "exams", "check", "checkup", "up", "visit", "preventive", "preventative", "health",
    "maintenance", "complete", "comprehensive", "medicare", "welcome", "to", "awv", "ippe", "cpe", "pe", "wcc",
    "wcv", "initial", "subsequent", "first", "yr", "yrs", "year", "years", "old", "mo", "mos", "month",
    "months", "wk", "wks", "week", "weeks", "day", "days", "weight",
))  # fmt: skip
EXAM_NAMES = frozenset((
    "physical", "physicals", "exam", "examination", "exams", "check", "checkup", "visit", "wellness", "awv",
    "ippe", "cpe", "pe", "wcc", "wcv",
))  # fmt: skip


def preventive_exam(visit: Visit, abnormal: bool) -> str:
    """The preventive-exam code for the patient's age on the service date (newborn, child, adult)."""
    days = (visit.service_date - visit.patient.birth_date).days
    return next(pair[abnormal] for limit, pair in EXAM_BY_AGE if days < limit)


def names_the_exam(text: str) -> bool:
    words = normalise_text(text).split()
    return any(w in EXAM_NAMES for w in words) and all(w in EXAM_WORDS or w.isdigit() for w in words)
