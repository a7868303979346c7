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


DUAL = 6  # members enrolled in Medicare and a Medigap supplement (coordination of benefits)


def dual_rows(seed: int = SEED + 1, as_of_year: int = 2026) -> list[dict[str, str]]:
    """Pairs of rows for one person each: Medicare Part B (D<n>M...) and its Medigap plan (D<n>G...),
    the same number after the letters, so a reader sees which rows belong together. Their own seed:
    the rows above stay as they were."""
    rng = random.Random(seed)
    out = []
    for n in range(DUAL):
        number = f"{rng.randrange(10**8):08d}"
        effective = date(as_of_year - rng.randint(1, 5), rng.randint(1, 12), 1).isoformat()
        out += [
            {"payer_id": "MEDICARE", "member_id": f"D{n}M{number}", "plan_id": "MCR-B", "effective_date": effective,
             "termination_date": "", "kind": "dual"},
            {"payer_id": "MEDIGAP", "member_id": f"D{n}G{number}", "plan_id": ("MG-G", "MG-F")[n % 2],
             "effective_date": effective, "termination_date": "", "kind": "dual"},
        ]  # fmt: skip
    return out


def lapsed_member(rng: random.Random, payer: str) -> dict[str, str]:
    """A member of the roster whose coverage lapsed, for the synthetic factory's lapsed_rate."""
    chosen = rng.choice([r for r in rows() if r["payer_id"] == payer and r["kind"] == "lapsed"])
    return {"member_id": chosen["member_id"], "plan_id": chosen["plan_id"]}


def main() -> None:
    fields = ["payer_id", "member_id", "plan_id", "effective_date", "termination_date", "kind"]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows() + dual_rows())


if __name__ == "__main__":
    main()
