"""Loads payers, plans, the fee schedule and the code-pair edits from services/payer-sim/payer_sim/data."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from payer_sim.domain.front_end import FrontEndRejection
from payer_sim.domain.model import (
    CoverageRule,
    EditPair,
    Enrollment,
    FeeScheduleEntry,
    Member,
    PayerTerms,
    Plan,
    ReferenceData,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _cents(usd: object) -> int:
    return int(Decimal(str(usd)) * 100)


def _plan(payer_id: str, plan_id: str, t: dict) -> Plan:
    oop = t["out_of_pocket_max_usd"]
    return Plan(
        payer_id=payer_id,
        plan_id=plan_id,
        fee_multiplier=float(t["fee_multiplier"]),
        deductible_cents=_cents(t["deductible_usd"]),
        coinsurance=float(t["coinsurance"]),
        copay_cents={kind: _cents(usd) for kind, usd in t["copay_usd"].items()},
        out_of_pocket_max_cents=None if oop is None else _cents(oop),
        timely_filing_days=int(t["timely_filing_days"]),
        prior_authorization=frozenset(t.get("prior_authorization", [])),
        excluded=frozenset(t.get("excluded", [])),
        cob_method=str(t.get("cob_method", "standard")),
        supplement_covers=frozenset(str(c) for c in t.get("supplement_covers", [])),
    )


def load_payers(path: Path = DATA_DIR / "payers.yaml") -> dict[str, PayerTerms]:
    raw = yaml.safe_load(path.read_text())["payers"]
    return {
        payer_id: PayerTerms(
            payer_id=payer_id,
            name=p["name"],
            tax_id=p["tax_id"],
            address=p["address"],
            claim_filing_indicator=str(p["claim_filing_indicator"]),
            default_plan=p["default_plan"],
            plans={plan_id: _plan(payer_id, plan_id, t) for plan_id, t in p["plans"].items()},
            non_covered=frozenset(p.get("non_covered", [])),
            coverage_policy={
                code: CoverageRule(diagnosis_prefixes=tuple(rule["diagnoses"]), carc=str(rule["carc"]))
                for code, rule in (p.get("coverage_policy") or {}).items()
            },
            member_id_pattern=p.get("member_id_pattern"),
            unenrolled_billing_npis=frozenset(str(n) for n in p.get("unenrolled_billing_npis", [])),
        )
        for payer_id, p in raw.items()
    }


def load_fee_schedule(path: Path = DATA_DIR / "fee_schedule.csv") -> dict[str, FeeScheduleEntry]:
    with path.open(newline="") as fh:
        return {
            r["code"]: FeeScheduleEntry(allowed_cents=_cents(r["base_allowed_usd"]), global_days=r["global_days"])
            for r in csv.DictReader(fh)
        }


def load_edit_pairs(path: Path = DATA_DIR / "edit_pairs.csv") -> tuple[EditPair, ...]:
    with path.open(newline="") as fh:
        return tuple(EditPair(r["column1"], r["column2"], int(r["modifier_indicator"])) for r in csv.DictReader(fh))


def load_front_end_rejections(path: Path = DATA_DIR / "front_end_rejections.csv") -> tuple[FrontEndRejection, ...]:
    with path.open(newline="") as fh:
        return tuple(
            FrontEndRejection(
                level=r["level"], ack=r["ack"], segment_id=r["segment_id"], qualifier=r["qualifier"],
                loop_id=r["loop_id"], element_position=int(r["element_position"]) if r["element_position"] else None,
                element_reference=r["element_reference"], segment_error=r["segment_error"],
                element_error=r["element_error"], category=r["category"], status_code=r["status_code"],
                entity=r["entity"], description=r["description"],
            )
            for r in csv.DictReader(fh)
        )  # fmt: skip


def load_roster(path: Path = DATA_DIR / "enrollment_roster.csv") -> dict[Member, Enrollment]:
    def day(value: str) -> date | None:
        return date.fromisoformat(value) if value else None

    with path.open(newline="") as fh:
        return {
            (r["payer_id"], r["member_id"]): Enrollment(
                r["plan_id"], day(r["effective_date"]), day(r["termination_date"])
            )
            for r in csv.DictReader(fh)
        }


@lru_cache(maxsize=1)
def load_reference() -> ReferenceData:
    return ReferenceData(
        payers=load_payers(), fee_schedule=load_fee_schedule(), edit_pairs=load_edit_pairs(), roster=load_roster()
    )
