"""The revenue-cycle figures as HFMA MAP Keys define them (docs/kpis.md gives each definition
and its source), as pure functions over facts the projections keep. Money is in cents, rates are
fractions from 0 to 1 (None when the denominator is empty: no claims is not a 0 % rate)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    (">120", 121, None),
)


@dataclass(frozen=True)
class ClaimFact:
    """One original claim (frequency 1) and what became of it."""

    claim_id: str
    payer_id: str
    provider: str  # rendering provider NPI
    service_date: date
    submitted_on: date
    charge_cents: int
    touched: bool = False  # a person coded its encounter (manual intervention before submission)
    first_denied: bool = False  # the first adjudication denied it (CLP02 4 or a denial CARC on any line)
    first_carcs: tuple[str, ...] = ()  # the denial CARCs of that first adjudication
    adjudicated_on: date | None = None  # first adjudication
    paid_cents: int = 0  # payer payments, every adjudication
    contractual_cents: int = 0  # CO-45 fee-schedule write-off
    written_off_cents: int = 0  # other CO/OA/PI adjustments that close the balance (denials)
    patient_cents: int = 0  # PR: the patient's share
    resubmitted: bool = False  # a corrected claim (frequency 7) followed
    paid_on_first_pass: bool = False  # the first adjudication paid it and nothing was resubmitted

    @property
    def open_cents(self) -> int:
        """A/R on the claim: charges not yet paid, contractually adjusted or written off."""
        if self.adjudicated_on is None:
            return self.charge_cents
        return max(self.charge_cents - self.paid_cents - self.contractual_cents - self.written_off_cents, 0)


@dataclass(frozen=True)
class EncounterFact:
    visit_id: str
    provider: str
    payer_id: str
    coded_by: str  # engine or person
    review_requested_at: datetime | None = None
    coded_at: datetime | None = None


@dataclass
class Kpis:
    claims: int
    clean_claim_rate: float | None
    initial_denial_rate: float | None
    denials_by_carc: dict[str, int] = field(default_factory=dict)
    first_pass_resolution_rate: float | None = None
    days_in_ar: float | None = None
    ar_cents: int = 0
    ar_aging: dict[str, dict[str, int]] = field(default_factory=dict)
    net_collection_rate: float | None = None
    charge_lag_days_mean: float | None = None
    charge_lag_days_median: float | None = None
    auto_code_rate: float | None = None
    review_turnaround_hours_median: float | None = None


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def clean_claim_rate(claims: Iterable[ClaimFact]) -> float | None:
    """Claims that went out without manual intervention and were not denied on first
    adjudication ÷ all claims submitted."""
    cs = list(claims)
    return _rate(sum(1 for c in cs if not c.touched and not c.first_denied), len(cs))


def initial_denial_rate(claims: Iterable[ClaimFact]) -> float | None:
    """Claims denied on first adjudication ÷ claims adjudicated."""
    adjudicated = [c for c in claims if c.adjudicated_on is not None]
    return _rate(sum(c.first_denied for c in adjudicated), len(adjudicated))


def denials_by_carc(claims: Iterable[ClaimFact]) -> dict[str, int]:
    """Initially denied claims per CARC (a claim counts once under each of its CARCs)."""
    out: dict[str, int] = defaultdict(int)
    for c in claims:
        if c.first_denied:
            for carc in set(c.first_carcs) or {"?"}:
                out[carc] += 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def first_pass_resolution_rate(claims: Iterable[ClaimFact]) -> float | None:
    """Claims paid on their first adjudication with no rework ÷ claims adjudicated."""
    adjudicated = [c for c in claims if c.adjudicated_on is not None]
    return _rate(sum(c.paid_on_first_pass for c in adjudicated), len(adjudicated))


def ar_balance(claims: Iterable[ClaimFact]) -> int:
    return sum(c.open_cents for c in claims)


def days_in_ar(claims: Iterable[ClaimFact], period_days: int) -> float | None:
    """A/R balance ÷ average daily charges over the period (gross days in A/R: the pipeline
    knows charges, not a net revenue forecast; docs/kpis.md says why)."""
    cs = list(claims)
    charges = sum(c.charge_cents for c in cs)
    if charges == 0 or period_days <= 0:
        return None
    return ar_balance(cs) / (charges / period_days)


def bucket(age_days: int) -> str:
    for name, low, high in AGING_BUCKETS:
        if age_days >= low and (high is None or age_days <= high):
            return name
    return AGING_BUCKETS[0][0]  # a service date in the future ages as 0


def ar_aging(claims: Iterable[ClaimFact], as_of: date) -> dict[str, dict[str, int]]:
    """Open balance in cents by payer and age since the service date."""
    out: dict[str, dict[str, int]] = {}
    for c in claims:
        if c.open_cents:
            row = out.setdefault(c.payer_id, {name: 0 for name, _, _ in AGING_BUCKETS})
            row[bucket((as_of - c.service_date).days)] += c.open_cents
    return dict(sorted(out.items()))


def net_collection_rate(claims: Iterable[ClaimFact]) -> float | None:
    """Payments ÷ (charges − contractual adjustments), over adjudicated claims. Patient share
    counts as collectible: payments the practice takes at the desk are not on the topics."""
    adjudicated = [c for c in claims if c.adjudicated_on is not None]
    collectible = sum(c.charge_cents - c.contractual_cents for c in adjudicated)
    paid = sum(c.paid_cents for c in adjudicated)
    return paid / collectible if collectible > 0 else None


def charge_lag(claims: Iterable[ClaimFact]) -> tuple[float | None, float | None]:
    """Mean and median days from the date of service to the claim's submission."""
    lags = [(c.submitted_on - c.service_date).days for c in claims]
    if not lags:
        return None, None
    return sum(lags) / len(lags), float(median(lags))


def auto_code_rate(encounters: Iterable[EncounterFact]) -> float | None:
    """Encounters the engine coded alone ÷ encounters coded."""
    coded = [e for e in encounters if e.coded_at is not None]
    return _rate(sum(e.coded_by == "engine" for e in coded), len(coded))


def review_turnaround_hours(encounters: Iterable[EncounterFact]) -> float | None:
    """Median hours from the review request to a person's coding."""
    hours = [
        (e.coded_at - e.review_requested_at).total_seconds() / 3600
        for e in encounters
        if e.coded_by == "person" and e.coded_at is not None and e.review_requested_at is not None
    ]
    return float(median(hours)) if hours else None


def compute(claims: list[ClaimFact], encounters: list[EncounterFact], as_of: date, period_days: int) -> Kpis:
    mean_lag, median_lag = charge_lag(claims)
    return Kpis(
        claims=len(claims),
        clean_claim_rate=clean_claim_rate(claims),
        initial_denial_rate=initial_denial_rate(claims),
        denials_by_carc=denials_by_carc(claims),
        first_pass_resolution_rate=first_pass_resolution_rate(claims),
        days_in_ar=days_in_ar(claims, period_days),
        ar_cents=ar_balance(claims),
        ar_aging=ar_aging(claims, as_of),
        net_collection_rate=net_collection_rate(claims),
        charge_lag_days_mean=mean_lag,
        charge_lag_days_median=median_lag,
        auto_code_rate=auto_code_rate(encounters),
        review_turnaround_hours_median=review_turnaround_hours(encounters),
    )


def by(
    key: Callable[[ClaimFact], str],
    claims: list[ClaimFact],
    encounters: list[EncounterFact],
    encounter_key: Callable[[EncounterFact], str],
    as_of: date,
    period_days: int,
) -> dict[str, Kpis]:
    """The figures per payer or per provider."""
    groups = sorted({key(c) for c in claims} | {encounter_key(e) for e in encounters})
    return {
        g: compute(
            [c for c in claims if key(c) == g], [e for e in encounters if encounter_key(e) == g], as_of, period_days
        )
        for g in groups
    }
