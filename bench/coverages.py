"""Synthetic second coverages for the factory's `cob_rate` (coordination of benefits): a Medicare
member gets a Medigap supplement (plan G or F), a member of one employer plan a spouse's employer
plan as secondary. Only drawn when the rate is above 0, so a seed's visits stay as they were."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

SUPPLEMENT_PLANS = ["MG-G", "MG-F"]
OTHER_EMPLOYER = {"BLUEPEAK": ("NORTHSTAR", "NS-HMO"), "NORTHSTAR": ("BLUEPEAK", "BP-PPO")}


def with_second_coverage(
    rng: random.Random, coverage: dict[str, Any], member_id: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The member's coverages: the one drawn and, where the payer has one, a second."""
    payer = coverage["payer_id"]
    drawn = member_id("".join(rng.choices("ABCDEFGHJKMNPQRSTVWXY0123456789", k=11)))
    if payer == "MEDICARE":  # no order given: the Medicare secondary payer rules put Medigap second
        return [
            {**coverage, "insurance_kind": "medicare"},
            {"payer_id": "MEDIGAP", "plan_id": rng.choice(SUPPLEMENT_PLANS), "member_id": drawn,
             "relationship": "self", "effective_date": coverage.get("effective_date"), "insurance_kind": "medigap"},
        ]  # fmt: skip
    if payer in OTHER_EMPLOYER and coverage.get("relationship") == "self":
        other, plan = OTHER_EMPLOYER[payer]
        return [
            {**coverage, "order": 1, "insurance_kind": "employer_group"},
            {"payer_id": other, "plan_id": plan, "member_id": drawn, "relationship": "spouse", "order": 2,
             "effective_date": coverage.get("effective_date"), "insurance_kind": "employer_group",
             "subscriber": {"first_name": "Alex", "last_name": "Synthetic"}},
        ]  # fmt: skip
    return [coverage]
