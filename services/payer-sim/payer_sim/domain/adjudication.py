"""Adjudication of one professional claim, in the common order of ../shared/domain-facts.md:
claim-level checks (payer, eligibility, timely filing, duplicate), line edits (coverage,
authorization, code pairs, modifiers, medical necessity, duplicate lines), then per payable line
allowed (CO-45), copay (PR-3), deductible (PR-1), coinsurance (PR-2), out-of-pocket cap, paid.

Pure: the caller loads the member's accumulator and history and stores the results in the same
transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from payer_sim.domain.model import Accumulator, ClaimHistory, Enrollment, PayerTerms, Plan, ReferenceData
from shared.schemas import Adjustment, ClaimLine, ClaimSubmitted, RemittanceLine

PREVENTIVE_CODES = frozenset({f"9938{d}" for d in range(1, 8)} | {f"9939{d}" for d in range(1, 8)})
OFFICE_EM_CODES = frozenset({f"9920{d}" for d in range(2, 6)} | {f"9921{d}" for d in range(1, 6)})
TELEHEALTH_PLACES = frozenset({"02", "10"})
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
MINOR_PROCEDURE_GLOBALS = frozenset({"000", "010"})
# Denials a seeded "random denial" knob may pick from (off unless configured).
RANDOM_DENIALS: tuple[tuple[str, str, str | None], ...] = (
    ("CO", "16", "M51"),  # missing/incomplete procedure information
    ("CO", "50", None),  # not deemed medically necessary
    ("CO", "197", None),  # authorization absent
    ("CO", "11", None),  # diagnosis inconsistent with procedure
)


@dataclass(frozen=True)
class Denial:
    group: str
    carc: str
    rarc: str | None = None


@dataclass
class Adjudication:
    claim_status_code: str
    lines: list[RemittanceLine]
    claim_adjustments: list[Adjustment] = field(default_factory=list)
    accumulator: Accumulator = field(default_factory=Accumulator)
    deductible_cents: int = 0  # what this claim added to the member's accumulators
    out_of_pocket_cents: int = 0

    @property
    def paid_cents(self) -> int:
        return sum(ln.paid_cents for ln in self.lines)

    @property
    def patient_cents(self) -> int:
        return sum(a.amount_cents for ln in self.lines for a in ln.adjustments if a.group == "PR")


def cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def allowed_amount(line: ClaimLine, fee_cents: int, plan: Plan) -> int:
    """The plan's allowed amount for the line: its fee schedule times the plan's multiplier, never
    more than the charge."""
    return min(line.charge_cents, cents(Decimal(fee_cents * line.units) * Decimal(str(plan.fee_multiplier))))


def screen_claim(
    claim: ClaimSubmitted,
    terms: PayerTerms | None,
    history: ClaimHistory,
    accumulator: Accumulator,
    forced: Denial | None,
) -> Adjudication | tuple[Accumulator, PayerTerms, Plan]:
    """The claim-level checks every payer runs first, primary or later: a denied claim's whole
    answer, or a working copy of the accumulator and the terms and plan to adjudicate under."""
    acc = Accumulator(accumulator.deductible_met_cents, accumulator.out_of_pocket_met_cents)
    denial = forced or claim_denial(claim, terms, history)
    plan = resolve_plan(terms, claim.coverage.plan_id) if terms is not None else None
    if denial is not None or terms is None or plan is None:
        denial = denial or Denial("CO", "109")
        return Adjudication("4", [denied_line(ln, denial) for ln in claim.service_lines], accumulator=acc)
    return acc, terms, plan


def line_key(claim: ClaimSubmitted, line: ClaimLine) -> tuple[str, ...]:
    """What makes two service lines the same service for duplicate detection."""
    return (
        claim.payer_id,
        claim.coverage.member_id,
        line.service_date.isoformat(),
        line.procedure_code,
        "".join(sorted(line.modifiers)),
        claim.billing_provider.npi,
    )


def visit_kind(claim: ClaimSubmitted) -> str:
    codes = {ln.procedure_code for ln in claim.service_lines}
    if codes & PREVENTIVE_CODES:
        return "preventive"
    if claim.place_of_service in TELEHEALTH_PLACES or any("95" in ln.modifiers for ln in claim.service_lines):
        return "telehealth"
    return "office"


def resolve_plan(terms: PayerTerms, plan_id: str | None) -> Plan | None:
    return terms.plans.get(plan_id or terms.default_plan)


def random_denial(seed: int, rate: float, claim_key: str) -> Denial | None:
    """A seeded, reproducible 'random' denial: the same claim and seed always get the same answer."""
    if rate <= 0:
        return None
    digest = hashlib.sha256(f"{seed}|{claim_key}".encode()).digest()
    if int.from_bytes(digest[:8], "big") / 2**64 >= rate:
        return None
    group, carc, rarc = RANDOM_DENIALS[digest[8] % len(RANDOM_DENIALS)]
    return Denial(group, carc, rarc)


def claim_denial(claim: ClaimSubmitted, terms: PayerTerms | None, history: ClaimHistory) -> Denial | None:
    if terms is None:
        return Denial("CO", "109")  # not this payer's claim: send it to the correct payer
    plan = resolve_plan(terms, claim.coverage.plan_id)
    if plan is None:
        return Denial("CO", "109")
    # a member not seen before is enrolled with the dates their first claim states
    enrollment = history.enrollment or Enrollment(
        plan.plan_id, claim.coverage.effective_date, claim.coverage.termination_date
    )
    if enrollment.termination_date and claim.service_date > enrollment.termination_date:
        return Denial("CO", "27")  # after coverage ended
    if enrollment.effective_date and claim.service_date < enrollment.effective_date:
        return Denial("CO", "26")  # before coverage began
    if (history.submitted_on - claim.service_date).days > plan.timely_filing_days:
        return Denial("CO", "29")
    if claim.frequency_code == "1" and history.prior is not None:
        return Denial("OA", "18")  # an original claim we already answered
    return None


def line_denials(
    claim: ClaimSubmitted, terms: PayerTerms, plan: Plan, ref: ReferenceData, history: ClaimHistory
) -> list[Denial | None]:
    codes = {ln.procedure_code for ln in claim.service_lines}
    has_minor_procedure = any(
        (entry := ref.fee_schedule.get(c)) is not None and entry.global_days in MINOR_PROCEDURE_GLOBALS for c in codes
    )
    out: list[Denial | None] = []
    for line in claim.service_lines:
        out.append(_line_denial(claim, line, terms, plan, ref, history, codes, has_minor_procedure))
    return out


def _line_denial(
    claim: ClaimSubmitted,
    line: ClaimLine,
    terms: PayerTerms,
    plan: Plan,
    ref: ReferenceData,
    history: ClaimHistory,
    codes: set[str],
    has_minor_procedure: bool,
) -> Denial | None:
    code = line.procedure_code
    if code not in ref.fee_schedule or code in terms.non_covered:
        return Denial("CO", "96", "N130")
    if code in plan.excluded:
        return Denial("CO", "204", "N130")
    if code in plan.prior_authorization and not claim.prior_authorization:
        return Denial("CO", "197")
    rule = terms.coverage_policy.get(code)
    if rule is not None:
        pointed = [claim.diagnoses[p - 1] for p in line.diagnosis_pointers if 0 < p <= len(claim.diagnoses)]
        if not any(dx.startswith(rule.diagnosis_prefixes) for dx in pointed):
            return Denial("CO", rule.carc)
    for pair in ref.edit_pairs:
        if code == pair.column2 and pair.column1 in codes:
            if pair.modifier_indicator == 0:
                return Denial("CO", "97")  # included in the other service's allowance
            if not DISTINCT_SERVICE_MODIFIERS.intersection(line.modifiers):
                return Denial("CO", "236")  # pair not allowed together without a distinct-service modifier
    if code in OFFICE_EM_CODES and has_minor_procedure and "25" not in line.modifiers:
        return Denial("CO", "4")  # E/M with a same-day minor procedure needs modifier 25
    if line_key(claim, line) in history.paid_line_keys:
        return Denial("OA", "18")
    return None


def denied_line(line: ClaimLine, denial: Denial) -> RemittanceLine:
    return RemittanceLine(
        line_control_number=line.line_control_number,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        units=line.units,
        charge_cents=line.charge_cents,
        allowed_cents=0,
        paid_cents=0,
        adjustments=[
            Adjustment(group=denial.group, carc=denial.carc, amount_cents=line.charge_cents, rarc=denial.rarc)
        ],
    )


def adjudicate(
    claim: ClaimSubmitted,
    terms: PayerTerms | None,
    ref: ReferenceData,
    accumulator: Accumulator,
    history: ClaimHistory,
    forced: Denial | None = None,
) -> Adjudication:
    screened = screen_claim(claim, terms, history, accumulator, forced)
    if isinstance(screened, Adjudication):
        return screened
    acc, terms, plan = screened

    kind = visit_kind(claim)
    copay_left = plan.copay_cents.get(kind, 0)
    lines: list[RemittanceLine] = []
    deductible_total = oop_total = 0
    for line, line_denial in zip(claim.service_lines, line_denials(claim, terms, plan, ref, history), strict=True):
        if line_denial is not None:
            lines.append(denied_line(line, line_denial))
            continue
        allowed = allowed_amount(line, ref.fee_schedule[line.procedure_code].allowed_cents, plan)
        adjustments = []
        if line.charge_cents > allowed:
            adjustments.append(Adjustment(group="CO", carc="45", amount_cents=line.charge_cents - allowed))
        share = [0, 0, 0]  # copay, deductible, coinsurance
        if line.procedure_code not in PREVENTIVE_CODES:  # ACA: preventive care without cost sharing
            remaining = allowed
            if line.procedure_code in OFFICE_EM_CODES and copay_left:
                share[0] = min(copay_left, remaining)
                copay_left -= share[0]
                remaining -= share[0]
            share[1] = min(max(plan.deductible_cents - acc.deductible_met_cents, 0), remaining)
            remaining -= share[1]
            share[2] = cents(Decimal(remaining) * Decimal(str(plan.coinsurance)))
        if plan.out_of_pocket_max_cents is not None:
            excess = sum(share) - max(plan.out_of_pocket_max_cents - acc.out_of_pocket_met_cents, 0)
            for i in (2, 0, 1):  # past the cap the plan pays: give back coinsurance, then copay, then deductible
                give_back = min(share[i], max(excess, 0))
                share[i] -= give_back
                excess -= give_back
        copay, deductible, coinsurance = share
        acc.deductible_met_cents += deductible
        acc.out_of_pocket_met_cents += copay + deductible + coinsurance
        deductible_total += deductible
        oop_total += copay + deductible + coinsurance
        for carc, amount in (("3", copay), ("1", deductible), ("2", coinsurance)):
            if amount:
                adjustments.append(Adjustment(group="PR", carc=carc, amount_cents=amount))
        lines.append(
            RemittanceLine(
                line_control_number=line.line_control_number,
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                units=line.units,
                charge_cents=line.charge_cents,
                allowed_cents=allowed,
                paid_cents=allowed - copay - deductible - coinsurance,
                adjustments=adjustments,
            )
        )
    all_denied = all(ln.allowed_cents == 0 for ln in lines)
    return Adjudication(
        "4" if all_denied else "1",
        lines,
        accumulator=acc,
        deductible_cents=deductible_total,
        out_of_pocket_cents=oop_total,
    )


def negate(adjustment: Adjustment) -> Adjustment:
    return adjustment.model_copy(update={"amount_cents": -adjustment.amount_cents})


def reversal_lines(lines: list[RemittanceLine]) -> list[RemittanceLine]:
    """A reversal (CLP02 = 22) takes back every amount of the earlier answer: same lines, negated."""
    return [
        ln.model_copy(
            update={
                "charge_cents": -ln.charge_cents,
                "allowed_cents": -ln.allowed_cents,
                "paid_cents": -ln.paid_cents,
                "adjustments": [negate(a) for a in ln.adjustments],
            }
        )
        for ln in lines
    ]


def reverse_accumulator(accumulator: Accumulator, deductible_cents: int, out_of_pocket_cents: int) -> Accumulator:
    return Accumulator(
        max(accumulator.deductible_met_cents - deductible_cents, 0),
        max(accumulator.out_of_pocket_met_cents - out_of_pocket_cents, 0),
    )
