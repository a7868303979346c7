"""The payer-sim's enrolment roster (services/payer-sim/payer_sim/data/enrollment_roster.csv):
synthetic members, made with a fixed seed so the file is the same every time it is written.
Most are active; some lapsed last year (terminated), some start next year. Member ids start with
R and cannot collide with the synthetic factory's (whose ids never start with a fixed letter
sequence R0-R9 followed by the payer's initial). `python -m bench.roster > .../enrollment_roster.csv`"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date

from bench.synthetic import PLANS

SEED = 2026
PER_PAYER = 12


def rows(seed: int = SEED, as_of_year: int = 2026) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for payer, plans in sorted(PLANS.items()):
        for n in range(PER_PAYER):
            kind = "active" if n < 6 else ("lapsed" if n < 10 else "future")
            effective = date(as_of_year - rng.randint(2, 6), rng.randint(1, 12), 1)
            termination = ""
            if kind == "lapsed":
                termination = date(as_of_year - 1, rng.randint(1, 12), 28).isoformat()
            elif kind == "future":
                effective = date(as_of_year + 1, 1, 1)
            out.append({
                "payer_id": payer, "member_id": f"R{n}{payer[0]}{rng.randrange(10**8):08d}",
                "plan_id": rng.choice(plans), "effective_date": effective.isoformat(),
                "termination_date": termination, "kind": kind,
            })  # fmt: skip
    return out


def lapsed_member(rng: random.Random, payer: str) -> dict[str, str]:
    """A member of the roster whose coverage lapsed, for the synthetic factory's lapsed_rate."""
    chosen = rng.choice([r for r in rows() if r["payer_id"] == payer and r["kind"] == "lapsed"])
    return {"member_id": chosen["member_id"], "plan_id": chosen["plan_id"]}


def main() -> None:
    fields = ["payer_id", "member_id", "plan_id", "effective_date", "termination_date", "kind"]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows())


if __name__ == "__main__":
    main()
