"""Adjudication in the common order (../shared/domain-facts.md): allowed (CO-45), copay (PR-3),
deductible (PR-1), coinsurance (PR-2), out-of-pocket cap, paid. Pure: the caller loads the
member's accumulator and stores the new one in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rcmflow.payer_sim.domain.model import Accumulator, PayerTerms, Plan
from rcmflow.shared.schemas import Adjustment, ClaimLine, ClaimSubmitted, RemittanceLine

PREVENTIVE_CODES = frozenset({f"9938{d}" for d in range(1, 8)} | {f"9939{d}" for d in range(1, 8)})
COPAY_CODES = frozenset({f"9920{d}" for d in range(2, 6)} | {f"9921{d}" for d in range(1, 6)})


@dataclass
class Adjudication:
    claim_status_code: str
    lines: list[RemittanceLine]
    claim_adjustments: list[Adjustment] = field(default_factory=list)
    accumulator: Accumulator = field(default_factory=Accumulator)

    @property
    def paid_cents(self) -> int:
        return sum(ln.paid_cents for ln in self.lines)

    @property
    def patient_cents(self) -> int:
        return sum(a.amount_cents for ln in self.lines for a in ln.adjustments if a.group == "PR")


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def deny_line(line: ClaimLine, group: str, carc: str) -> RemittanceLine:
    return RemittanceLine(
        line_control_number=line.line_control_number,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        units=line.units,
        charge_cents=line.charge_cents,
        allowed_cents=0,
        paid_cents=0,
        adjustments=[Adjustment(group=group, carc=carc, amount_cents=line.charge_cents)],  # type: ignore[arg-type]
    )


def deny_claim(claim: ClaimSubmitted, group: str, carc: str, accumulator: Accumulator) -> Adjudication:
    return Adjudication("4", [deny_line(ln, group, carc) for ln in claim.service_lines], accumulator=accumulator)


def resolve_plan(terms: PayerTerms, plan_id: str | None) -> Plan | None:
    return terms.plans.get(plan_id or terms.default_plan)


def adjudicate(
    claim: ClaimSubmitted,
    terms: PayerTerms | None,
    fee_schedule_cents: dict[str, int],
    accumulator: Accumulator,
) -> Adjudication:
    acc = Accumulator(accumulator.deductible_met_cents, accumulator.out_of_pocket_met_cents)
    if terms is None:
        return deny_claim(claim, "CO", "109", acc)  # not this payer's claim
    plan = resolve_plan(terms, claim.coverage.plan_id)
    if plan is None:
        return deny_claim(claim, "CO", "109", acc)
    coverage = claim.coverage
    if (coverage.termination_date and claim.service_date > coverage.termination_date) or (
        coverage.effective_date and claim.service_date < coverage.effective_date
    ):
        return deny_claim(claim, "CO", "27", acc)

    copay_left = plan.copay_cents
    lines = []
    for line in claim.service_lines:
        fee = fee_schedule_cents.get(line.procedure_code)
        if fee is None:
            lines.append(deny_line(line, "CO", "96"))  # not a covered service under this plan
            continue
        allowed = min(line.charge_cents, _cents(Decimal(fee * line.units) * Decimal(str(plan.fee_multiplier))))
        adjustments = []
        if line.charge_cents > allowed:
            adjustments.append(Adjustment(group="CO", carc="45", amount_cents=line.charge_cents - allowed))
        remaining = allowed
        copay = deductible = coinsurance = 0
        if line.procedure_code not in PREVENTIVE_CODES:  # ACA: preventive care without cost sharing
            if line.procedure_code in COPAY_CODES and copay_left:
                copay = min(copay_left, remaining)
                copay_left -= copay
                remaining -= copay
            deductible = min(max(plan.deductible_cents - acc.deductible_met_cents, 0), remaining)
            remaining -= deductible
            coinsurance = _cents(Decimal(remaining) * Decimal(str(plan.coinsurance)))
        share = [copay, deductible, coinsurance]
        if plan.out_of_pocket_max_cents is not None:
            room = max(plan.out_of_pocket_max_cents - acc.out_of_pocket_met_cents, 0)
            excess = sum(share) - room
            for i in (2, 0, 1):  # past the cap the plan pays: give back coinsurance, then copay, then deductible
                if excess <= 0:
                    break
                give_back = min(share[i], excess)
                share[i] -= give_back
                excess -= give_back
        copay, deductible, coinsurance = share
        acc.deductible_met_cents += deductible
        acc.out_of_pocket_met_cents += copay + deductible + coinsurance
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
    all_denied = all(ln.allowed_cents == 0 and ln.paid_cents == 0 for ln in lines)
    return Adjudication("4" if all_denied else "1", lines, accumulator=acc)
