"""HL7 v2 IN1 segments -> the visit's coverages (coordination of benefits).

Each IN1 is one coverage: IN1-2 plan, IN1-3 payer id, IN1-4 payer name (resolved through the payer
directory), IN1-12/13 effective/expiry, IN1-16 insured name, IN1-17 relationship, IN1-18 insured
birth date, IN1-36 member number, IN1-43 insured sex. The order: IN1-22 coordination of benefits
priority (1 primary, 2 secondary, 3 tertiary) when the sender gives it; else IN1-1, the set id,
which HL7 senders number in priority order. Duplicates and gaps are refused by the visit contract,
naming coverages[n].order (IN1-22, or IN1-1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from encounter.domain.payers import Identifier, PayerDirectory, looked_for

RELATIONSHIP = {"SEL": "self", "SPO": "spouse", "CHD": "child", "OTH": "other", "": "self"}

Get = Callable[..., str]  # hl7_in._get: (segment, field, component) -> text
DateOf = Callable[[str], str | None]


def coverages(
    in1_segments: list[Any], payers: PayerDirectory, get: Get, date_of: DateOf
) -> tuple[list[dict], list[str]]:
    """The coverages of a message's IN1 segments, or the problem naming the IN1 that cannot be read."""
    out: list[dict[str, Any]] = []
    for n, in1 in enumerate(in1_segments, start=1):
        if not (get(in1, 3) or get(in1, 4)):
            continue
        identifiers = [Identifier(get(in1, 3, 3) or None, get(in1, 3, 0))] if get(in1, 3, 0) else []
        names = [get(in1, 4, 0)] if get(in1, 4, 0) else []
        payer_id = payers.resolve(identifiers, names)
        where = "IN1-3/IN1-4" if len(in1_segments) == 1 else f"IN1 #{n} IN1-3/IN1-4"
        if payer_id is None:
            return [], [f"{where} payer: no payer in the payer directory matches {looked_for(identifiers, names)}"]
        relationship = RELATIONSHIP.get(get(in1, 17).upper(), "other")
        coverage: dict[str, Any] = {
            "payer_id": payer_id, "plan_id": get(in1, 2) or None, "member_id": get(in1, 36),
            "relationship": relationship, "effective_date": date_of(get(in1, 12)),
            "termination_date": date_of(get(in1, 13)),
        }  # fmt: skip
        if relationship != "self":
            coverage["subscriber"] = {"last_name": get(in1, 16, 0), "first_name": get(in1, 16, 1),
                                      "birth_date": date_of(get(in1, 18)), "sex": get(in1, 43) or None}  # fmt: skip
        out.append(coverage)
    if len(out) > 1:
        priorities = [get(s, 22) for s in in1_segments if get(s, 3) or get(s, 4)]
        set_ids = [get(s, 1) for s in in1_segments if get(s, 3) or get(s, 4)]
        chosen = priorities if any(priorities) else set_ids
        for coverage, order in zip(out, chosen, strict=True):
            coverage["order"] = int(order) if order.isdigit() else None
    return out, []


def order_named(problem: str) -> str:
    """A contract problem about the coverages' order, naming the HL7 field it came from."""
    return re.sub(r"coverages(\[\d+\])?\.order", lambda m: f"IN1-22 ({m.group(0)})", problem)
