"""What the biller tells the shared command line (entry points in pyproject.toml): its lines of
`rcm status`, its part of `rcm audit visit`, and prices for `rcm recode`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from biller.adapters import queries
from biller.adapters.reference import load_charge_master
from shared.plugins import StatusRow

# (key, label, finished). Claims are counted, not visits: a visit split into several claims (over
# 50 lines) counts more than once. `done` counts visits: those the biller is finished with
# (self-pay, not billable, or no claim awaiting an answer), for `rcm publish --wait`.
COUNTS: tuple[tuple[str, str, bool], ...] = (
    ("self_pay", "self-pay statements", False),
    ("not_billable", "not billable", False),
    ("ineligible", "eligibility failed (eligibility queue)", False),
    ("claims", "claims", False),
    ("submitted", "awaiting remittance", False),
    ("pending_status", "  pending at the payer (277 P)", False),
    ("remitted", "remitted", False),
    ("paid", "  paid", False),
    ("partially_paid", "  partially paid", False),
    ("denied", "  denied", False),
    ("written_off", "  denied, then written off by a person", False),
    ("rejected", "rejected by scrubber", False),
    ("front_end_rejected", "rejected at the payer's front end (999/277CA)", False),
    ("remittance_exceptions", "remittance exceptions", False),
    ("secondary_claims", "secondary claims (coordination of benefits)", False),
    ("tertiary_claims", "tertiary claims", False),
    ("billing_done", "visits billing is done with", True),
)
MONEY: tuple[tuple[str, str], ...] = (
    ("billed_cents", "billed"),
    ("allowed_cents", "allowed"),
    ("paid_cents", "paid"),
    ("cob_paid_cents", "  of it by secondary and tertiary payers"),
    ("patient_cents", "patient responsibility (what every payer left)"),
    ("adjustment_cents", "adjusted (write-offs, denials)"),
)


async def status(conn: asyncpg.Connection, scope: list[str]) -> list[StatusRow]:
    found = await queries.status(conn, scope)
    found["billing_done"] = found.pop("done")
    rows = [StatusRow(key, label, found[key], finished=done) for key, label, done in COUNTS]
    return rows + [StatusRow(key, label, found[key], kind="cents") for key, label in MONEY]


async def visit_story(conn: asyncpg.Connection, visit_id: str) -> dict[str, Any]:
    """The visit's claims, their status history and postings."""
    return await queries.visit_story(conn, visit_id)


def price_lines(facility_npi: str, lines: Iterable[tuple[str, Sequence[str], int]]) -> int:
    """Cents the lines (procedure code, modifiers, units) are billed at from the charge master,
    the facility's own prices first; a code without a price counts nothing."""
    charge_master = load_charge_master()
    total = 0
    for code, _modifiers, units in lines:
        price = charge_master.price(code, facility_npi)
        total += price.charge_cents * units if price else 0
    return total
