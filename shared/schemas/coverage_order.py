"""Coordination of benefits: the order of a visit's coverages (primary, secondary, tertiary).

The sender's order is taken as given when it is complete (1..n, each once). When no order is
given and a visit has more than one coverage, it is worked out only where the data settles it
(docs/x12-loop.md, "Which coverage pays first"): Medicare secondary payer rules from the kind of
each coverage, Medicaid last, and the birthday rule for a dependant child covered by both parents.
Anything else is refused with the field named, never guessed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.schemas.visit import Coverage

MAX_COVERAGES = 3
SEQUENCE = {1: "P", 2: "S", 3: "T"}  # SBR01 payer responsibility sequence by order


class CoverageOrderError(ValueError):
    """The coverages' order is contradictory, incomplete, or cannot be worked out."""


def _given(coverages: Sequence[Coverage]) -> list[int]:
    orders = [c.order for c in coverages]
    missing = [i for i, o in enumerate(orders) if o is None]
    if missing:
        raise CoverageOrderError(f"coverages[{missing[0]}].order: missing while other coverages give theirs")
    seen: dict[int, int] = {}
    for i, o in enumerate(orders):
        assert o is not None
        if o in seen:
            raise CoverageOrderError(f"coverages[{i}].order: {o} is also the order of coverages[{seen[o]}]")
        seen[o] = i
    if sorted(seen) != list(range(1, len(coverages) + 1)):
        raise CoverageOrderError(f"coverages.order: {sorted(seen)} leaves a gap (orders run 1 to {len(coverages)})")
    return [seen[o] for o in range(1, len(coverages) + 1)]


def _medicare_rank(coverage: Coverage, has_medicare: bool) -> int | None:
    """Rank under the Medicare secondary payer rules (lower pays first), or None when the data
    does not say (an employer plan without its size or the subscriber's employment)."""
    kind = coverage.insurance_kind
    if kind == "medicaid":
        return 9  # payer of last resort
    if kind == "medigap":
        return 5  # supplements Medicare: always after it
    if kind == "medicare":
        return 3
    if kind == "employer_group" and has_medicare:
        if coverage.employer_size is None or coverage.subscriber_actively_employed is None:
            return None
        # a current-employment group plan of an employer with 20+ employees pays before Medicare
        return 1 if coverage.subscriber_actively_employed and coverage.employer_size >= 20 else 4
    if kind == "retiree":
        return 4  # Medicare pays before retiree coverage
    return None


def _birthday_rule(coverages: Sequence[Coverage]) -> list[int] | None:
    """Two plans of a child's two parents: the parent whose birthday (month, day) comes first in
    the year is primary; the same birthday: the plan in force longer."""
    if len(coverages) != 2 or any(c.relationship != "child" for c in coverages):
        return None
    births = [c.subscriber.birth_date if c.subscriber else None for c in coverages]
    if births[0] is None or births[1] is None:
        return None
    a, b = (births[0].month, births[0].day), (births[1].month, births[1].day)
    if a != b:
        return [0, 1] if a < b else [1, 0]
    since = [c.effective_date for c in coverages]
    if since[0] is None or since[1] is None or since[0] == since[1]:
        return None
    return [0, 1] if since[0] < since[1] else [1, 0]


def _worked_out(coverages: Sequence[Coverage]) -> list[int]:
    has_medicare = any(c.insurance_kind == "medicare" for c in coverages)
    if has_medicare or any(c.insurance_kind == "medicaid" for c in coverages):
        ranks = [_medicare_rank(c, has_medicare) for c in coverages]
        known = [r for r in ranks if r is not None]
        if len(known) == len(ranks) and len(set(known)) == len(known):
            return sorted(range(len(coverages)), key=lambda i: ranks[i] or 0)
    by_birthday = _birthday_rule(coverages)
    if by_birthday is not None:
        return by_birthday
    raise CoverageOrderError(
        "coverages.order: more than one coverage without an order, and neither the Medicare secondary "
        "payer rules nor the birthday rule settle it from the data given (send coverages[].order)"
    )


def order_coverages(coverages: Sequence[Coverage]) -> list[Coverage]:
    """The coverages in paying order, each with its order set (1 primary, 2 secondary, 3 tertiary)."""
    if len(coverages) > MAX_COVERAGES:
        raise CoverageOrderError(f"coverages: at most {MAX_COVERAGES} (primary, secondary, tertiary)")
    if not coverages:
        return []
    if all(c.order is None for c in coverages):
        positions = [0] if len(coverages) == 1 else _worked_out(coverages)
    else:
        positions = _given(coverages)
    return [coverages[i].model_copy(update={"order": n}) for n, i in enumerate(positions, start=1)]
