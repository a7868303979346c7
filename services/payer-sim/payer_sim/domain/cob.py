"""Adjudication as a secondary or tertiary payer (coordination of benefits).

The claim carries what the earlier payers did (837P loops 2320/2430, `ClaimSubmitted.prior_payers`);
the balance of a line is what the last of them left the patient (its PR adjustments, AMT*EAF). This
payer pays by its plan's `cob_method`, never more than that balance:

- standard: its own benefit (its allowed amount less its own cost sharing) up to the balance;
- non_duplication: its own benefit less what the earlier payers paid, up to the balance;
- supplement (Medigap): the balance's cost sharing of the kinds the plan covers (CARC 1, 2, 3).

Its 835 line: OA-23 for the earlier payers' impact (charge less the balance), PR by kind for what
the patient still owes, paid = the rest. Claim-level checks (payer, plan, enrolment dates, timely
filing, duplicate) and the line edits of the plan still apply; a line the plan denies pays nothing
and leaves the balance to the patient (PR with the denial's CARC)."""

from __future__ import annotations

from decimal import Decimal

from payer_sim.domain.adjudication import (
    Adjudication,
    Denial,
    adjudicate,
    allowed_amount,
    cents,
    line_denials,
    screen_claim,
)
from payer_sim.domain.model import Accumulator, ClaimHistory, PayerTerms, Plan, ReferenceData
from shared.schemas import Adjustment, ClaimLine, ClaimSubmitted, RemittanceLine
from shared.schemas.cob import PriorPayerLine

# CLP02 when this payer processed the claim as the secondary, the tertiary
CLAIM_STATUS = {"S": "2", "T": "3"}
PAID_BY_PRIOR = "23"  # CARC 23: the impact of prior payer(s) adjudication, payments and adjustments


def own_benefit(line: ClaimLine, plan: Plan, ref: ReferenceData, acc: Accumulator) -> tuple[int, int]:
    """What this plan would pay on the line as the only payer, and the deductible it would take."""
    entry = ref.fee_schedule.get(line.procedure_code)
    if entry is None:
        return 0, 0
    allowed = allowed_amount(line, entry.allowed_cents, plan)
    deductible = min(max(plan.deductible_cents - acc.deductible_met_cents, 0), allowed)
    coinsurance = cents(Decimal(allowed - deductible) * Decimal(str(plan.coinsurance)))
    return allowed - deductible - coinsurance, deductible


def _owed_by_kind(prior: PriorPayerLine) -> dict[str, int]:
    owed: dict[str, int] = {}
    for a in prior.adjustments:
        if a.group == "PR":
            owed[a.carc] = owed.get(a.carc, 0) + a.amount_cents
    return owed


def _pay_down(owed: dict[str, int], amount: int, order: list[str]) -> dict[str, int]:
    """What the patient still owes by CARC once `amount` is paid toward `order`'s kinds first."""
    left = dict(owed)
    for carc in order + [c for c in left if c not in order]:
        take = min(left.get(carc, 0), amount)
        left[carc] = left.get(carc, 0) - take
        amount -= take
    return {c: v for c, v in left.items() if v}


def _line(
    line: ClaimLine,
    prior: PriorPayerLine | None,
    paid_before: int,
    plan: Plan,
    ref: ReferenceData,
    acc: Accumulator,
    denial: Denial | None,
) -> tuple[RemittanceLine, int]:
    """The line's answer and the deductible this plan took on it."""
    owed = _owed_by_kind(prior) if prior is not None else {}
    balance = sum(owed.values())
    deductible = 0
    if denial is not None or balance <= 0:
        pay = 0
    elif plan.cob_method == "supplement":
        pay = sum(v for c, v in owed.items() if c in plan.supplement_covers)
    else:
        benefit, deductible = own_benefit(line, plan, ref, acc)
        if plan.cob_method == "non_duplication":
            benefit -= paid_before
        pay = max(min(benefit, balance), 0)
    covered = sorted(plan.supplement_covers) if plan.cob_method == "supplement" else ["2", "3", "1"]
    left = _pay_down(owed, pay, covered)
    adjustments = []
    if line.charge_cents - balance:
        adjustments.append(Adjustment(group="OA", carc=PAID_BY_PRIOR, amount_cents=line.charge_cents - balance))
    if denial is not None and balance:
        adjustments.append(Adjustment(group="PR", carc=denial.carc, amount_cents=balance, rarc=denial.rarc))
    else:
        adjustments += [Adjustment(group="PR", carc=c, amount_cents=v) for c, v in sorted(left.items())]
    answer = RemittanceLine(
        line_control_number=line.line_control_number,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        units=line.units,
        charge_cents=line.charge_cents,
        allowed_cents=balance,
        paid_cents=pay,
        adjustments=adjustments,
    )
    return answer, min(deductible, pay)


def adjudicate_later(
    claim: ClaimSubmitted,
    terms: PayerTerms | None,
    ref: ReferenceData,
    accumulator: Accumulator,
    history: ClaimHistory,
    forced: Denial | None = None,
) -> Adjudication:
    """The answer of a secondary or tertiary payer to a claim carrying the earlier payers' answers."""
    if not claim.prior_payers:
        return adjudicate(claim, terms, ref, accumulator, history, forced)
    screened = screen_claim(claim, terms, history, accumulator, forced)
    if isinstance(screened, Adjudication):
        return screened
    acc, terms, plan = screened
    last = claim.prior_payers[-1]
    prior_lines = {p.line_control_number: p for p in last.lines}
    paid_before: dict[str, int] = {}
    for payer in claim.prior_payers:
        for p in payer.lines:
            paid_before[p.line_control_number] = paid_before.get(p.line_control_number, 0) + p.paid_cents
    lines, deductible_total = [], 0
    for line, line_denial in zip(claim.service_lines, line_denials(claim, terms, plan, ref, history), strict=True):
        answer, deductible = _line(
            line, prior_lines.get(line.line_control_number), paid_before.get(line.line_control_number, 0),
            plan, ref, acc, line_denial,
        )  # fmt: skip
        acc.deductible_met_cents += deductible
        deductible_total += deductible
        lines.append(answer)
    return Adjudication(
        CLAIM_STATUS.get(claim.payer_sequence, "2"), lines, accumulator=acc, deductible_cents=deductible_total
    )
