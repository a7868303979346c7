"""Loads the biller's reference data from services/biller/data."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import yaml

from rcmflow.biller.domain.model import ChargeMaster, PayerInfo

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def load_charge_master() -> ChargeMaster:
    with (DATA_DIR / "charge_master.csv").open(newline="") as fh:
        return ChargeMaster.from_dollars({r["code"]: r["charge_usd"] for r in csv.DictReader(fh)})


@lru_cache(maxsize=1)
def load_payers() -> dict[str, PayerInfo]:
    raw = yaml.safe_load((DATA_DIR / "payers.yaml").read_text())["payers"]
    return {pid: PayerInfo(payer_id=pid, name=p["name"], x12_payer_id=p["x12_payer_id"]) for pid, p in raw.items()}
