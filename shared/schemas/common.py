"""Pieces every event shares: the envelope, identifiers with check digits, money in cents."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.versions import RCMFLOW_VERSION


def npi_check_digit_ok(npi: str) -> bool:
    """NPI: 10 digits, first 1 or 2; Luhn over the first 9 with the constant 24 (prefix 80840)."""
    if not re.fullmatch(r"[12]\d{9}", npi):
        return False
    total = 24
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:  # rightmost of the 9 digits is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def _npi(value: str) -> str:
    if not npi_check_digit_ok(value):
        raise ValueError("not a valid NPI (10 digits starting 1 or 2, with a correct check digit)")
    return value


NPI = Annotated[str, AfterValidator(_npi)]
TaxId = Annotated[str, Field(pattern=r"^\d{9}$", description="EIN, 9 digits without the dash")]
PlaceOfService = Annotated[str, Field(pattern=r"^\d{2}$", description="CMS place-of-service code")]
Cents = Annotated[int, Field(description="US dollars in integer cents")]
IdStr = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    """Base for every contract model: unknown fields are ignored so producers can add fields first."""

    model_config = ConfigDict(extra="ignore", frozen=False, str_strip_whitespace=True)


# USPS codes X12 accepts for a US address: the states, DC, the territories and military post offices.
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
    ]
)
US_STATE_CODES = US_STATES | {"AS", "GU", "MP", "PR", "VI", "FM", "MH", "AA", "AE", "AP"}


def _state(value: str) -> str:
    if value not in US_STATE_CODES:
        raise ValueError("not a US state, territory or military postal code")
    return value


class Address(Model):
    line1: str = Field(min_length=1, max_length=55)
    line2: str | None = Field(default=None, max_length=55)
    city: str = Field(min_length=2, max_length=30)
    state: Annotated[str, AfterValidator(_state)]
    zip: str = Field(pattern=r"^\d{5}(\d{4})?$")


class Producer(Model):
    service: str
    version: str = RCMFLOW_VERSION


class Envelope(Model):
    """Carried by every event on every topic."""

    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: uuid.UUID
    visit_id: IdStr
    patient_id: IdStr
    occurred_at: datetime = Field(default_factory=utcnow)
    schema_version: int = 1
    producer: Producer
    # When the visit entered the pipeline; carried along for end-to-end latency.
    received_at: datetime

    @property
    def key(self) -> bytes:
        """Every topic is keyed by patient id, so one patient's events stay in order."""
        return self.patient_id.encode()


AdjustmentGroup = Literal["CO", "PR", "OA", "PI"]


def drop_none(value: object) -> object:
    """JSON without its empty members (FHIR forbids nulls; our builders write them freely)."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value
