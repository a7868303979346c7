"""Loads payers, plans and the fee schedule from services/payer-sim/data."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from rcmflow.payer_sim.domain.model import PayerTerms, Plan

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _cents(usd: object) -> int:
    return int(Decimal(str(usd)) * 100)


@lru_cache(maxsize=1)
def load_payers() -> dict[str, PayerTerms]:
    raw = yaml.safe_load((DATA_DIR / "payers.yaml").read_text())["payers"]
    payers = {}
    for payer_id, p in raw.items():
        plans = {
            plan_id: Plan(
                payer_id=payer_id,
                plan_id=plan_id,
                fee_multiplier=float(t["fee_multiplier"]),
                deductible_cents=_cents(t["deductible_usd"]),
                coinsurance=float(t["coinsurance"]),
                copay_cents=_cents(t["copay_usd"]),
                out_of_pocket_max_cents=None
                if t["out_of_pocket_max_usd"] is None
                else _cents(t["out_of_pocket_max_usd"]),
                timely_filing_days=int(t["timely_filing_days"]),
            )
            for plan_id, t in p["plans"].items()
        }
        payers[payer_id] = PayerTerms(payer_id=payer_id, name=p["name"], default_plan=p["default_plan"], plans=plans)
    return payers


@lru_cache(maxsize=1)
def load_fee_schedule() -> dict[str, int]:
    with (DATA_DIR / "fee_schedule.csv").open(newline="") as fh:
        return {r["code"]: _cents(r["base_allowed_usd"]) for r in csv.DictReader(fh)}
