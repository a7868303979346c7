"""The claim scrubber: rules a claim must pass before it goes to a payer. A claim that fails
any rule is kept as rejected with every reason and is not sent. `rcm scrub-rules` lists them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from biller.domain.model import PayerInfo
from shared.schemas import ClaimSubmitted
from shared.schemas.common import npi_check_digit_ok

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_MODIFIERS = 4
# EIN prefixes the IRS has never assigned
INVALID_EIN_PREFIXES = {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"}


@dataclass(frozen=True)
class ScrubContext:
    today: date
    payer: PayerInfo | None


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    passes: Callable[[ClaimSubmitted, ScrubContext], bool]


def _filled(*values: object) -> bool:
    return all(v not in (None, "") for v in values)


def _patient_complete(c: ClaimSubmitted, _: ScrubContext) -> bool:
    p = c.patient
    return _filled(p.first_name, p.last_name, p.birth_date, p.sex) and p.address is not None


def _subscriber_complete(c: ClaimSubmitted, _: ScrubContext) -> bool:
    if c.coverage.relationship == "self":
        return True
    s = c.coverage.subscriber
    return s is not None and _filled(s.first_name, s.last_name)


def _pointers_ok(c: ClaimSubmitted, _: ScrubContext) -> bool:
    n = len(c.diagnoses)
    return all(
        1 <= len(ln.diagnosis_pointers) <= MAX_POINTERS
        and len(set(ln.diagnosis_pointers)) == len(ln.diagnosis_pointers)
        and all(1 <= p <= n for p in ln.diagnosis_pointers)
        for ln in c.service_lines
    )


def _timely(c: ClaimSubmitted, ctx: ScrubContext) -> bool:
    return ctx.payer is None or (ctx.today - c.service_date).days <= ctx.payer.timely_filing_days


RULES: tuple[Rule, ...] = (
    Rule("S01", "billing provider NPI fails the check digit",
         lambda c, _: npi_check_digit_ok(c.billing_provider.npi)),
    Rule("S02", "rendering provider NPI fails the check digit",
         lambda c, _: npi_check_digit_ok(c.rendering_provider.npi)),
    Rule("S03", "billing provider tax id is not a 9-digit EIN with an assigned prefix",
         lambda c, _: bool(re.fullmatch(r"\d{9}", c.billing_provider.tax_id))
         and c.billing_provider.tax_id[:2] not in INVALID_EIN_PREFIXES),
    Rule("S04", "billing provider address is missing (loop 2010AA needs N3/N4)",
         lambda c, _: c.billing_provider.address is not None),
    Rule("S05", "patient name, birth date, sex or address is missing", _patient_complete),
    Rule("S06", "subscriber name is missing for a dependant's claim", _subscriber_complete),
    Rule("S07", "member id is missing", lambda c, _: _filled(c.coverage.member_id.strip())),
    Rule("S08", "service date is in the future", lambda c, ctx: c.service_date <= ctx.today),
    Rule("S09", "service date is past the payer's timely-filing window", _timely),
    Rule("S10", f"more than {MAX_DIAGNOSES} diagnoses", lambda c, _: 1 <= len(c.diagnoses) <= MAX_DIAGNOSES),
    Rule("S11", "a diagnosis is listed twice", lambda c, _: len(set(c.diagnoses)) == len(c.diagnoses)),
    Rule("S12", "a diagnosis pointer does not point at a claim diagnosis (or a line has none, or more than 4)",
         _pointers_ok),
    Rule("S13", f"a line has more than {MAX_MODIFIERS} modifiers",
         lambda c, _: all(len(ln.modifiers) <= MAX_MODIFIERS for ln in c.service_lines)),
    Rule("S14", "total charge (CLM02) differs from the sum of the line charges",
         lambda c, _: c.total_charge_cents == sum(ln.charge_cents for ln in c.service_lines)),
    Rule("S15", "a line has no charge", lambda c, _: all(ln.charge_cents > 0 for ln in c.service_lines)),
    Rule("S16", "payer is not one this practice bills", lambda c, ctx: ctx.payer is not None),
)  # fmt: skip


@dataclass(frozen=True)
class ScrubError:
    code: str
    message: str


def scrub(claim: ClaimSubmitted, context: ScrubContext) -> list[ScrubError]:
    """Every rule the claim fails (empty: clean)."""
    return [ScrubError(rule.code, rule.message) for rule in RULES if not rule.passes(claim, context)]
