"""Synthetic visits made with Faker: no real patient anywhere. The same seed (and the same
`as_of` date) gives the same visits, byte for byte."""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from faker import Faker

from shared.schemas import ClaimSubmitted, CodedEncounter, Producer, Visit, VisitReceived
from shared.schemas.common import US_STATES

PAYERS_BY_AGE = {"senior": ["MEDICARE"], "adult": ["BLUEPEAK", "NORTHSTAR", "MEDICAID", "BLUEPEAK"]}
PLANS = {"MEDICARE": ["MCR-B"], "MEDICAID": ["MCD-STD"], "BLUEPEAK": ["BP-PPO", "BP-HDHP"], "NORTHSTAR": ["NS-HMO"]}
DIAGNOSIS_CODES = [
    "I10",
    "E11.9",
    "E78.5",
    "J02.0",
    "N39.0",
    "K21.9",
    "J44.9",
    "M54.50",
    "R05.9",
    "E66.9",
    "F41.1",
    "F32.A",
    "E03.9",
    "G43.909",
    "J30.9",
    "H66.90",
    "J20.9",
    "I48.91",
    "E55.9",
    "D64.9",
    "R53.83",
    "M25.561",
]
DIAGNOSIS_TEXTS = ["high blood pressure", "T2DM", "high cholesterol", "acid reflux", "UTI", "strep throat", "COPD"]
# Procedures with the diagnosis that justifies them (None: any diagnosis does), so visits are codable.
PROCEDURES = [("36415", None), ("93000", "I10"), ("81002", "N39.0"), ("87880", "J02.0"), ("85025", None),
              ("80053", None), ("80061", "E78.5"), ("83036", "E11.9"), ("84443", "E03.9"), ("94640", "J44.9"),
              ("96372", None)]  # fmt: skip
PROCEDURE_TEXTS = ["Tdap IM", "venipuncture", "cbc", "cmp"]  # a vaccine by its product: its administration follows
MDM = ["straightforward", "low", "moderate", "high"]
STATES = sorted(US_STATES)
# IRS campus prefixes a synthetic EIN may start with
EIN_PREFIXES = [
    "20", "26", "27", "30", "33", "35", "36", "37", "38", "41", "42", "45", "46", "52", "54",
    "56", "61", "65", "71", "72", "75", "76", "81", "82", "84", "86", "88", "91", "93", "95", "98",
]  # fmt: skip


def with_npi_check_digit(first_nine: str) -> str:
    """Append the Luhn check digit (with the 80840 prefix constant 24) to 9 digits."""
    total = 24
    for i, ch in enumerate(reversed(first_nine)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return first_nine + str((10 - total % 10) % 10)


MEMBER_ID_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY0123456789"


# The practices every factory bills under (bench/data/practices.yaml): the demo sender is registered for them.
SYNTHETIC_PRACTICES: list[dict[str, str]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "practices.yaml").read_text()
)["practices"]


class VisitFactory:
    def __init__(self, seed: int | None = None, as_of: date | None = None, self_pay_rate: float = 0.0,
                 lapsed_rate: float = 0.0, cob_rate: float = 0.0) -> None:  # fmt: skip
        self.token = f"S{seed}" if seed is not None else secrets.token_hex(4).upper()
        self.rng = random.Random(seed if seed is not None else secrets.randbits(32))
        self.fake = Faker("en_US")
        self.fake.seed_instance(self.rng.randrange(2**32))
        self.as_of = as_of or date.today()
        self.self_pay_rate = self_pay_rate
        self.lapsed_rate = lapsed_rate  # insured patients given a lapsed roster member (0: draws as before)
        self.cob_rate = cob_rate  # insured patients with a second coverage (bench.coverages; 0: draws as before)
        self.providers = [self._provider() for _ in range(8)]
        self.facilities = [self._facility() for _ in range(3)]
        self.patients: list[dict] = []

    def _member_id(self, drawn: str) -> str:  # salted: same-seed factories (tests) must not share members
        salted = hashlib.sha256(f"{self.token}|{drawn}".encode()).digest()[:11]
        return "".join(MEMBER_ID_ALPHABET[b % len(MEMBER_ID_ALPHABET)] for b in salted)

    def _npi(self) -> str:
        return with_npi_check_digit(self.rng.choice("12") + "".join(self.rng.choices("0123456789", k=8)))

    def _address(self) -> dict:
        return {
            "line1": self.fake.street_address()[:55],
            "city": self.fake.city()[:30],
            "state": self.rng.choice(STATES),
            "zip": self.fake.zipcode(),
        }

    def _provider(self) -> dict:
        return {
            "npi": self._npi(),
            "first_name": self.fake.first_name(),
            "last_name": self.fake.last_name(),
            "taxonomy": "207Q00000X",
        }

    def _facility(self) -> dict:
        drawn = {
            "npi": self._npi(),
            "name": f"{self.fake.last_name()} Family Medicine",
            "tax_id": self.rng.choice(EIN_PREFIXES) + "".join(self.rng.choices("0123456789", k=7)),
            "place_of_service": "11",
            "address": self._address(),
        }
        # One of the fixed practices, picked by the drawn NPI: the draws above stay as they were, so a
        # seed gives the same patients and visits as before the practices were fixed.
        return {**drawn, **SYNTHETIC_PRACTICES[int(str(drawn["npi"])) % len(SYNTHETIC_PRACTICES)]}

    def _patient(self, index: int) -> dict:
        sex = self.rng.choice("FM")
        age_days = self.rng.randint(2 * 365, 90 * 365)
        birth = self.as_of - timedelta(days=age_days)
        person = {
            "id": f"P-{self.token}-{index:06d}",
            "first_name": self.fake.first_name_female() if sex == "F" else self.fake.first_name_male(),
            "last_name": self.fake.last_name(),
            "birth_date": birth.isoformat(),
            "sex": sex,
            "address": self._address(),
        }
        age = age_days // 365
        coverage: dict[str, Any] | None = None
        if self.rng.random() >= self.self_pay_rate:
            payer = self.rng.choice(PAYERS_BY_AGE["senior" if age >= 65 else "adult"])
            coverage = {
                "payer_id": payer,
                "plan_id": self.rng.choice(PLANS[payer]),
                "member_id": self._member_id("".join(self.rng.choices(MEMBER_ID_ALPHABET, k=11))),
                "relationship": "self",
                "effective_date": date(self.as_of.year - 1, 1, 1).isoformat(),
            }
            if self.lapsed_rate > 0 and self.rng.random() < self.lapsed_rate:
                from bench.roster import lapsed_member  # the payer-sim's roster: their visits are not eligible

                coverage.update(lapsed_member(self.rng, payer))
            if age < 18:
                coverage["relationship"] = "child"
                coverage["subscriber"] = {
                    "first_name": self.fake.first_name(),
                    "last_name": person["last_name"],
                    "birth_date": (birth - timedelta(days=self.rng.randint(20 * 365, 40 * 365))).isoformat(),
                    "sex": self.rng.choice("FM"),
                    "address": person["address"],
                }
        if coverage is not None and self.cob_rate > 0 and self.rng.random() < self.cob_rate:
            from bench.coverages import with_second_coverage

            return {"patient": person, "coverages": with_second_coverage(self.rng, coverage, self._member_id)}
        return {"patient": person, "coverage": coverage}

    def visit(self, index: int) -> Visit:
        # About three visits per patient, so deductibles and accumulators carry across claims.
        if not self.patients or self.rng.random() < 0.35:
            self.patients.append(self._patient(len(self.patients)))
        who = self.rng.choice(self.patients)
        kind = self.rng.choices(["office", "telehealth", "preventive"], weights=[75, 10, 15])[0]
        diagnoses: list[dict] = [{"code": c} for c in self.rng.sample(DIAGNOSIS_CODES, self.rng.randint(1, 4))]
        if self.rng.random() < 0.25:
            diagnoses.insert(0, {"text": self.rng.choice(DIAGNOSIS_TEXTS)})
        procedures: list[dict] = []
        if kind != "telehealth":
            for code, needs in self.rng.sample(PROCEDURES, self.rng.randint(0, 3)):
                procedures.append({"code": code, "units": 1})
                if needs and not any(d.get("code") == needs for d in diagnoses):
                    diagnoses.append({"code": needs})
            if self.rng.random() < 0.2:
                text = self.rng.choice(PROCEDURE_TEXTS)
                if text == "Tdap IM" and any(p.get("code") == "96372" for p in procedures):
                    text = "venipuncture"  # an injection and a vaccine the same day need a distinct-site note
                procedures.append({"text": text})
                if text == "Tdap IM":  # the reason for the vaccine (the coder adds its administration)
                    diagnoses.append({"code": "Z23"})
        facility = self.rng.choice(self.facilities)
        visit = {
            "visit_id": f"V-{self.token}-{index:07d}",
            **who,
            "provider": self.rng.choice(self.providers),
            "facility": facility,
            "service_date": (self.as_of - timedelta(days=self.rng.randint(1, 45))).isoformat(),
            "visit_type": kind,
            "patient_status": "new" if self.rng.random() < 0.2 else "established",
            "total_minutes": self.rng.randint(10, 70) if self.rng.random() < 0.8 else None,
            "mdm": self.rng.choice(MDM) if self.rng.random() < 0.7 else None,
            "diagnoses": diagnoses,
            "procedures": procedures,
            "notes": "Synthetic visit generated by rcmflow; no real patient.",
        }
        if visit["mdm"] is None and (visit["patient_status"] == "new" or visit["total_minutes"] is None):
            visit["mdm"] = "low"  # an E/M needs time or MDM (99211 is a nurse visit): keep demo visits codable
        return Visit.model_validate(visit)

    def visits(self, count: int) -> Iterator[Visit]:
        for i in range(count):
            yield self.visit(i)


def synthetic_coded_encounters(visits: Iterable[Visit], received_at: datetime) -> list[CodedEncounter]:
    """Coded encounters for synthetic visits, as the coder would make them (review cases left out)."""
    from coder.adapters.reference import load_tables
    from coder.domain.coding import code_visit

    tables, producer, out = load_tables(), Producer(service="synthetic"), []
    for visit in visits:
        result = code_visit(visit, tables)
        if result.needs_review:
            continue
        out.append(
            CodedEncounter.of(
                VisitReceived.of(visit, received_at, producer),
                producer,
                "synthetic",
                place_of_service=result.place_of_service,
                diagnoses=result.diagnoses,
                service_lines=result.service_lines,
            )
        )
    return out


def synthetic_claims(visits: Iterable[Visit], today: date | None = None) -> list[ClaimSubmitted]:
    """Claims for synthetic visits as the coder and the biller would make them, without Kafka or
    Postgres: for tests and benchmarks of the later steps. Visits the coder would send to review
    and claims the scrubber would reject are left out."""
    from biller.adapters.reference import load_charge_master, load_payers, load_submitter
    from biller.domain.claims import decide

    charge_master, payers, submitter = load_charge_master(), load_payers(), load_submitter()
    today = today or date.today()
    received_at = datetime.combine(today, time(12), tzinfo=UTC)  # fixed: the same visits give the same claims
    producer = Producer(service="synthetic")
    claims: list[ClaimSubmitted] = []
    for coded in synthetic_coded_encounters(visits, received_at):
        claims += decide(coded, charge_master, payers, producer, submitter, today).claims
    return claims
