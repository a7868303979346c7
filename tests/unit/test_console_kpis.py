"""The revenue-cycle figures on a hand-computed book of five claims and four encounters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console.domain import kpis
from console.domain.kpis import ClaimFact, EncounterFact

AS_OF = date(2026, 6, 30)

# A: paid first time, clean.              charge 200.00, paid 120.00, CO-45 50.00, PR 30.00
# B: coded by a person, paid.             charge 100.00, paid  80.00, CO-45 20.00
# C: denied CO-16, resubmitted, paid.     charge 300.00, paid 200.00, CO-45 100.00
# D: denied CO-4 and CO-16, still open.   charge 150.00, nothing paid
# E: not yet adjudicated.                 charge 250.00, service 95 days ago
CLAIMS = [
    ClaimFact("A", "AETNA", "1111111112", date(2026, 6, 1), date(2026, 6, 3), 20000, adjudicated_on=date(2026, 6, 10),
              paid_cents=12000, contractual_cents=5000, patient_cents=3000, paid_on_first_pass=True),
    ClaimFact("B", "AETNA", "2222222222", date(2026, 6, 2), date(2026, 6, 4), 10000, touched=True,
              adjudicated_on=date(2026, 6, 11), paid_cents=8000, contractual_cents=2000, paid_on_first_pass=True),
    ClaimFact("C", "CIGNA", "1111111112", date(2026, 5, 1), date(2026, 5, 2), 30000, first_denied=True,
              first_carcs=("16",), adjudicated_on=date(2026, 5, 9), paid_cents=20000, contractual_cents=10000,
              resubmitted=True),
    ClaimFact("D", "CIGNA", "2222222222", date(2026, 4, 1), date(2026, 4, 11), 15000, first_denied=True,
              first_carcs=("4", "16"), adjudicated_on=date(2026, 4, 20)),
    ClaimFact("E", "AETNA", "1111111112", date(2026, 3, 27), date(2026, 3, 28), 25000),
]  # fmt: skip

T = datetime(2026, 6, 1, 8, tzinfo=UTC)
ENCOUNTERS = [
    EncounterFact("v1", "1111111112", "AETNA", "engine", None, T),
    EncounterFact("v2", "2222222222", "AETNA", "person", T, T.replace(hour=10)),  # 2 h
    EncounterFact("v3", "1111111112", "CIGNA", "engine", None, T),
    EncounterFact("v4", "2222222222", "CIGNA", "person", T, T.replace(hour=14)),  # 6 h
]


def test_clean_claim_rate_counts_untouched_claims_not_denied() -> None:
    # A and E are clean; B was touched, C and D denied: 2 of 5
    assert kpis.clean_claim_rate(CLAIMS) == pytest.approx(0.4)


def test_initial_denial_rate_over_adjudicated_claims() -> None:
    # C and D denied of A, B, C, D adjudicated
    assert kpis.initial_denial_rate(CLAIMS) == pytest.approx(0.5)
    assert kpis.denials_by_carc(CLAIMS) == {"16": 2, "4": 1}


def test_first_pass_resolution_rate() -> None:
    assert kpis.first_pass_resolution_rate(CLAIMS) == pytest.approx(0.5)  # A and B of four adjudicated


def test_ar_balance_and_days_in_ar() -> None:
    # open: A 30.00 (patient share), B 0, C 0, D 150.00, E 250.00 = 430.00
    assert kpis.ar_balance(CLAIMS) == 43000
    # charges 1,000.00 over 100 days = 10.00 a day: 43 days
    assert kpis.days_in_ar(CLAIMS, 100) == pytest.approx(43.0)
    assert kpis.days_in_ar([], 85) is None


def test_ar_aging_by_payer_from_service_date() -> None:
    aging = kpis.ar_aging(CLAIMS, AS_OF)
    # A: 29 days; D: 90 days; E: 95 days
    assert aging["AETNA"] == {"0-30": 3000, "31-60": 0, "61-90": 0, "91-120": 25000, ">120": 0}
    assert aging["CIGNA"] == {"0-30": 0, "31-60": 0, "61-90": 15000, "91-120": 0, ">120": 0}
    assert [kpis.bucket(d) for d in (0, 30, 31, 60, 61, 90, 91, 120, 121)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91-120", "91-120", ">120"
    ]  # fmt: skip


def test_net_collection_rate() -> None:
    # adjudicated A-D: paid 400.00 over (charges 750.00 - contractual 170.00) = 580.00
    assert kpis.net_collection_rate(CLAIMS) == pytest.approx(40000 / 58000)


def test_charge_lag() -> None:
    # lags 2, 2, 1, 10, 1 days: mean 3.2, median 2
    assert kpis.charge_lag(CLAIMS) == (pytest.approx(3.2), 2.0)


def test_coder_figures() -> None:
    assert kpis.auto_code_rate(ENCOUNTERS) == pytest.approx(0.5)
    assert kpis.review_turnaround_hours(ENCOUNTERS) == pytest.approx(4.0)  # median of 2 h and 6 h


def test_empty_book_has_no_rates() -> None:
    k = kpis.compute([], [], AS_OF, 90)
    assert (k.clean_claim_rate, k.initial_denial_rate, k.net_collection_rate, k.auto_code_rate) == (None,) * 4


def test_by_payer_splits_claims_and_encounters() -> None:
    groups = kpis.by(lambda c: c.payer_id, CLAIMS, ENCOUNTERS, lambda e: e.payer_id, AS_OF, 85)
    assert set(groups) == {"AETNA", "CIGNA"}
    assert groups["CIGNA"].initial_denial_rate == pytest.approx(1.0)
    assert groups["AETNA"].claims == 3
    assert groups["AETNA"].review_turnaround_hours_median == pytest.approx(2.0)
