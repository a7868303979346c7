"""Office evaluation and management (E/M) level, from ../shared/domain-facts.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# Minimum total minutes on the date of service per level (2024 onward: met or exceeded).
TIME_THRESHOLDS: dict[str, list[tuple[int, int]]] = {
    "new": [(60, 5), (45, 4), (30, 3), (15, 2)],
    "established": [(40, 5), (30, 4), (20, 3), (10, 2)],
}
MDM_LEVEL = {"straightforward": 2, "low": 3, "moderate": 4, "high": 5}
FIRST_DIGITS = {"new": "9920", "established": "9921"}

# Prolonged service: first-unit threshold in minutes for CPT 99417 and Medicare's G2212 (which
# payer uses which is payer data: data/payer_rules.yaml).
PROLONGED_START = {"99417": {"new": 75, "established": 55}, "G2212": {"new": 89, "established": 69}}
NURSE_VISIT = "99211"  # clinical staff; never a default for an undocumented physician visit

PREVENTIVE_AGE_BANDS = [(1, 1), (5, 2), (12, 3), (18, 4), (40, 5), (65, 6)]  # (age below, last digit)


@dataclass(frozen=True)
class EMLine:
    code: str
    units: int
    evidence: str


def is_office_em(code: str) -> bool:
    return code[:4] in FIRST_DIGITS.values()


def time_level(patient_status: str, minutes: int | None) -> int | None:
    if minutes is None:
        return None
    for threshold, level in TIME_THRESHOLDS[patient_status]:
        if minutes >= threshold:
            return level
    return None


def office_em(
    patient_status: str, minutes: int | None, mdm: str | None, prolonged_code: str = "99417"
) -> list[EMLine] | None:
    """The E/M line (and prolonged-service line) for a problem-oriented office or telehealth visit.
    None when neither time nor MDM supports a level (99211 is a nurse visit, not a fallback)."""
    found = _office_em(patient_status, minutes, mdm, prolonged_code)
    return None if found is None else list(found)


@lru_cache(maxsize=4096)  # a few hundred (status, minutes, MDM) combinations recur on every visit
def _office_em(
    patient_status: str, minutes: int | None, mdm: str | None, prolonged_code: str
) -> tuple[EMLine, ...] | None:
    found = _level_lines(patient_status, minutes, mdm, prolonged_code)
    return None if found is None else tuple(found)


def _level_lines(patient_status: str, minutes: int | None, mdm: str | None, prolonged_code: str) -> list[EMLine] | None:
    by_time = time_level(patient_status, minutes)
    by_mdm = MDM_LEVEL.get(mdm) if mdm else None
    levels = [lvl for lvl in (by_time, by_mdm) if lvl is not None]
    if not levels:
        return None
    level = max(levels)
    basis = "time" if by_time == level else "mdm"
    evidence = f"{patient_status}, {minutes} min" if basis == "time" else f"{patient_status}, MDM {mdm}"
    lines = [EMLine(f"{FIRST_DIGITS[patient_status]}{level}", 1, evidence)]
    if level == 5 and minutes is not None and basis == "time":
        lines += prolonged(patient_status, minutes, prolonged_code)
    return lines


def prolonged(patient_status: str, minutes: int, code: str = "99417") -> list[EMLine]:
    start = PROLONGED_START[code][patient_status]
    if minutes < start:
        return []
    units = 1 + (minutes - start) // 15
    return [EMLine(code, units, f"{minutes} min total, prolonged from {start} min")]


def nurse_visit(patient_status: str) -> EMLine | None:
    """A clinical-staff visit: 99211, for an established patient only."""
    if patient_status != "established":
        return None
    return EMLine(NURSE_VISIT, 1, "clinical-staff (nurse) visit, established patient")


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def preventive_em(patient_status: str, birth_date: date, service_date: date) -> EMLine:
    age = age_on(birth_date, service_date)
    digit = 7
    for below, d in PREVENTIVE_AGE_BANDS:
        if age < below:
            digit = d
            break
    prefix = "9938" if patient_status == "new" else "9939"
    return EMLine(f"{prefix}{digit}", 1, f"preventive, {patient_status}, age {age}")
