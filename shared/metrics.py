"""Domain metrics with stable names (documented in README); served with faust's own on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

events_total = Counter(
    "rcm_events_total",
    "Events a stage consumed, by outcome (ok, review, dead_letter, ...)",
    ["service", "topic", "outcome"],
)
stage_seconds = Histogram(
    "rcm_stage_seconds", "Time one stage spent on one event", ["service"], buckets=_LATENCY_BUCKETS
)
end_to_end_seconds = Histogram(
    "rcm_end_to_end_seconds", "Visit received to remittance posted", buckets=_LATENCY_BUCKETS
)
claims_total = Counter("rcm_claims_total", "Claim status changes, by new status", ["status"])
claim_status_total = Counter(
    "rcm_claim_status_total", "Claim status answers (277) by STC01 category (F1, P1, A7, D0, ...)", ["category"]
)
eligibility_total = Counter(
    "rcm_eligibility_total", "Eligibility answers (271) before billing, by status (active, inactive, ...)", ["status"]
)
front_end_rejections_total = Counter(
    "rcm_front_end_rejections_total",
    "Claims the payer's front end turned back before adjudication, by transaction (999, 277CA) and code",
    ["transaction", "code"],
)
denials_total = Counter("rcm_denials_total", "Denied service lines and claims, by CARC", ["carc"])
dollars_total = Counter("rcm_dollars_total", "Dollars flowing, by kind (billed, allowed, paid, patient)", ["kind"])
dead_letters_total = Counter("rcm_dead_letters_total", "Events sent to a dead-letter topic", ["topic"])
review_queue_size = Gauge("rcm_review_queue_size", "Encounters waiting for a person to code them")
consumer_lag = Gauge(
    "rcm_consumer_lag",
    "Events on a topic partition not yet processed by the service's consumer group",
    ["topic", "partition"],
)
code_set_stale_total = Counter(
    "rcm_code_set_stale_total",
    "Visits coded with a code set whose newest loaded release ends before the date of service",
    ["code_set"],
)
