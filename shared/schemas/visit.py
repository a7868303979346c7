"""Topic `visits`: a visit as an upstream system reports it (intake contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from shared import ids
from shared.schemas.common import NPI, Address, Envelope, IdStr, Model, PlaceOfService, Producer, TaxId
from shared.schemas.coverage_order import MAX_COVERAGES, order_coverages

TOPIC = "visits"

Sex = Literal["F", "M", "U"]
Relationship = Literal["self", "spouse", "child", "other"]
# What kind of coverage it is, for the Medicare secondary payer rules (shared.schemas.coverage_order)
InsuranceKind = Literal["medicare", "medigap", "medicaid", "employer_group", "retiree", "individual", "other"]
MDM = Literal["straightforward", "low", "moderate", "high"]


class Patient(Model):
    id: IdStr
    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    birth_date: date
    sex: Sex
    address: Address | None = None

    @model_validator(mode="after")
    def _born_before_today(self) -> Patient:
        if self.birth_date > date.today():
            raise ValueError("birth_date is in the future")
        return self


class Subscriber(Model):
    """The insured person, when the patient is a dependant."""

    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    birth_date: date | None = None
    sex: Sex | None = None
    address: Address | None = None


class Coverage(Model):
    payer_id: str = Field(min_length=1, max_length=30)
    member_id: str = Field(min_length=1, max_length=80)
    plan_id: str | None = Field(default=None, max_length=30)
    group_number: str | None = Field(default=None, max_length=50)
    relationship: Relationship = "self"
    subscriber: Subscriber | None = None
    effective_date: date | None = None
    termination_date: date | None = None
    # Coordination of benefits (visit schema 2): 1 primary, 2 secondary, 3 tertiary; without it the
    # order is worked out only where the data settles it (coverage_order.py)
    order: int | None = Field(default=None, ge=1, le=3)
    insurance_kind: InsuranceKind | None = None
    employer_size: int | None = Field(default=None, ge=0, description="employees of the subscriber's employer")
    subscriber_actively_employed: bool | None = None


class Provider(Model):
    """Rendering provider."""

    npi: NPI
    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    taxonomy: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}X$")


class Facility(Model):
    """Billing provider: the practice or facility that bills for the visit."""

    npi: NPI
    name: str = Field(min_length=1, max_length=60)
    tax_id: TaxId
    place_of_service: PlaceOfService = "11"
    address: Address | None = None


class DiagnosisIn(Model):
    code: str | None = Field(default=None, max_length=10)
    text: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _code_or_text(self) -> DiagnosisIn:
        if not (self.code or self.text):
            raise ValueError("a diagnosis needs a code or a text")
        return self


class ProcedureIn(Model):
    code: str | None = Field(default=None, pattern=r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")
    text: str | None = Field(default=None, max_length=300)
    units: int = Field(default=1, ge=1, le=999)
    modifiers: list[str] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def _code_or_text(self) -> ProcedureIn:
        if not (self.code or self.text):
            raise ValueError("a procedure needs a code or a text")
        return self


class Visit(Model):
    """The minimum visit of the design notes, and a few optional extras."""

    visit_id: IdStr
    patient: Patient
    coverage: Coverage | None = None  # the primary (schema 1: the only one); None: self-pay
    # Schema 2: every coverage in paying order (primary, secondary, tertiary); `coverage` is then
    # the first of them, so readers of schema 1 still find the primary where they look for it.
    coverages: list[Coverage] = Field(default_factory=list, max_length=MAX_COVERAGES)
    provider: Provider
    facility: Facility
    service_date: date
    # nurse: a clinical-staff visit (the only visit 99211 may be billed for without time or MDM)
    visit_type: Literal["office", "telehealth", "preventive", "nurse"] = "office"
    patient_status: Literal["new", "established"] = "established"
    # Total time and medical decision making of the problem-oriented visit. On a preventive visit
    # they describe the preventive service and never make a problem E/M by themselves.
    total_minutes: int | None = Field(default=None, ge=0, le=1440)
    mdm: MDM | None = None
    # A separately identifiable problem evaluated on a preventive visit day: its own time or MDM
    # (then a problem E/M with modifier 25 is billed beside the preventive service).
    problem_minutes: int | None = Field(default=None, ge=0, le=1440)
    problem_mdm: MDM | None = None
    # The patient's last preventive or wellness visit, when the EHR knows it (Medicare AWV
    # G0438 first / G0439 subsequent; a wellness visit too soon is not covered).
    last_wellness_visit: date | None = None
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=50)
    procedures: list[ProcedureIn] = Field(default_factory=list, max_length=200)
    notes: str | None = Field(default=None, max_length=20000)
    prior_authorization: str | None = Field(default=None, max_length=50, description="payer's authorization number")

    @model_validator(mode="after")
    def _coverages_in_order(self) -> Visit:
        ordered = order_coverages(self.coverages)
        if "coverage" in self.model_fields_set and ordered:
            # A sender that sets `coverage` on a schema 2 document (one it read back and edited)
            # means it: no coverage is self-pay, another coverage is the new primary.
            if self.coverage is None:
                ordered = []
            elif self.coverage.model_dump(exclude={"order"}) != ordered[0].model_dump(exclude={"order"}):
                ordered = [self.coverage, *ordered[1:]]
        elif not ordered and self.coverage is not None:  # schema 1: one coverage, the primary
            ordered = [self.coverage]
        self.coverages = [c.model_copy(update={"order": n}) for n, c in enumerate(ordered, start=1)]
        self.coverage = self.coverages[0] if self.coverages else None
        return self

    @property
    def later_coverages(self) -> list[Coverage]:
        """The coverages after the primary, in paying order."""
        return self.coverages[1:]


class VisitReceived(Envelope):
    """What the `visits` topic carries. Schema 2 added the visit's `coverages` (coordination of
    benefits); a schema 1 event (one `coverage`) still reads, as a visit with that one coverage."""

    SCHEMA_VERSION: ClassVar[int] = 2
    schema_version: int = 2
    visit: Visit

    @classmethod
    def of(cls, visit: Visit, received_at: datetime, producer: Producer) -> VisitReceived:
        """The event for a visit entering the pipeline; its id is derived from the visit id, so
        whichever way the visit arrives, the same visit is the same event."""
        return cls(
            event_id=ids.event_id("visit", visit.visit_id),
            visit_id=visit.visit_id,
            patient_id=visit.patient.id,
            producer=producer,
            received_at=received_at,
            occurred_at=received_at,
            visit=visit,
        )

    @model_validator(mode="after")
    def _envelope_matches_visit(self) -> VisitReceived:
        if self.visit_id != self.visit.visit_id or self.patient_id != self.visit.patient.id:
            raise ValueError("envelope visit_id/patient_id differ from the visit's")
        return self
