"""How a figure is written for people: percentages, days, dollars; a dash where there is none."""

from __future__ import annotations

from typing import Any

# (key in the report, label, kind) in the order a revenue-cycle manager reads them
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("claims", "Claims submitted", "count"),
    ("clean_claim_rate", "Clean-claim rate", "percent"),
    ("initial_denial_rate", "Initial denial rate", "percent"),
    ("first_pass_resolution_rate", "First-pass resolution rate", "percent"),
    ("days_in_ar", "Days in A/R", "days"),
    ("ar_cents", "A/R balance", "money"),
    ("net_collection_rate", "Net collection rate", "percent"),
    ("charge_lag_days_mean", "Charge lag, mean (days)", "days"),
    ("charge_lag_days_median", "Charge lag, median (days)", "days"),
    ("auto_code_rate", "Coder auto-code rate", "percent"),
    ("review_turnaround_hours_median", "Review turnaround, median (hours)", "hours"),
)


def figure(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.1f} %"
    if kind in ("days", "hours"):
        return f"{value:.1f}"
    if kind == "money":
        return f"${value / 100:,.2f}"
    return str(value)


def money(cents: int | None) -> str:
    return "—" if cents is None else f"${cents / 100:,.2f}"
