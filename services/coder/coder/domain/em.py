"""Office evaluation and management (E/M) level, from ../shared/domain-facts.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Minimum total minutes on the date of service per level (2024 onward: met or exceeded).
TIME_THRESHOLDS: dict[str, list[tuple[int, int]]] = {
    "new": [(60, 5), (45, 4), (30, 3), (15, 2)],
    "established": [(40, 5), (30, 4), (20, 3), (10, 2)],
}
MDM_LEVEL = {"straightforward": 2, "low": 3, "moderate": 4, "high": 5}
FIRST_DIGITS = {"new": "9920", "established": "9921"}

# Prolonged service: (first-unit threshold in minutes) for CPT 99417 and Medicare's G2212.
PROLONGED_CPT_START = {"new": 75, "established": 55}
PROLONGED_MEDICARE_START = {"new": 89, "established": 69}
MEDICARE_PAYERS = frozenset({"MEDICARE"})

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


def office_em(patient_status: str, minutes: int | None, mdm: str | None, payer_id: str | None) -> list[EMLine] | None:
    """The E/M line (and prolonged-service line) for a problem-oriented office or telehealth visit.
    None when nothing documented supports a level for a new patient."""
    by_time = time_level(patient_status, minutes)
    by_mdm = MDM_LEVEL.get(mdm) if mdm else None
    levels = [lvl for lvl in (by_time, by_mdm) if lvl is not None]
    if not levels:
        if patient_status == "established":
            return [EMLine("99211", 1, "established visit with no time or MDM documented")]
        return None
    level = max(levels)
    basis = "time" if by_time == level else "mdm"
    evidence = f"{patient_status}, {minutes} min" if basis == "time" else f"{patient_status}, MDM {mdm}"
    lines = [EMLine(f"{FIRST_DIGITS[patient_status]}{level}", 1, evidence)]
    if level == 5 and minutes is not None and basis == "time":
        lines += prolonged(patient_status, minutes, payer_id)
    return lines


def prolonged(patient_status: str, minutes: int, payer_id: str | None) -> list[EMLine]:
    medicare = payer_id in MEDICARE_PAYERS
    start = (PROLONGED_MEDICARE_START if medicare else PROLONGED_CPT_START)[patient_status]
    if minutes < start:
        return []
    units = 1 + (minutes - start) // 15
    code = "G2212" if medicare else "99417"
    return [EMLine(code, units, f"{minutes} min total, prolonged from {start} min")]


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
