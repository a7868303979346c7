"""Loads the biller's reference data from services/biller/biller/data."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import yaml

from biller.domain.model import ChargeMaster, PayerInfo, Reference, Submitter

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def load_charge_master() -> ChargeMaster:
    with (DATA_DIR / "charge_master.csv").open(newline="") as fh:
        return ChargeMaster.from_rows(list(csv.DictReader(fh)))


@lru_cache(maxsize=1)
def load_payers() -> dict[str, PayerInfo]:
    raw = yaml.safe_load((DATA_DIR / "payers.yaml").read_text())["payers"]
    return {
        pid: PayerInfo(
            payer_id=pid,
            name=p["name"],
            x12_payer_id=str(p["x12_payer_id"]),
            claim_filing_indicator=str(p["claim_filing_indicator"]),
            timely_filing_days=int(p["timely_filing_days"]),
        )
        for pid, p in raw.items()
    }


@lru_cache(maxsize=1)
def load_submitter() -> Submitter:
    s = yaml.safe_load((DATA_DIR / "submitter.yaml").read_text())["submitter"]
    return Submitter(name=s["name"], etin=s["etin"], contact_name=s["contact_name"], phone=str(s["phone"]))


def load_reference() -> Reference:
    return Reference(load_charge_master(), load_payers(), load_submitter())
