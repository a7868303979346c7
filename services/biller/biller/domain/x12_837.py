"""X12 837P 005010X222A1 (professional claim) for one or more claims to one payer.

Loops: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B/2010BA/2010BB
subscriber and payer, 2000C/2010CA patient when the patient is not the subscriber, 2300 claim
(CLM, REF*F8 on replacements and voids, REF*G1 prior authorisation, HI diagnoses), 2310B
rendering provider, 2320/2330A/2330B other payers and 2430 their line answers (x12_837_cob), 2400
service lines (LX, SV1, DTP*472, REF*6R).

Valid by construction: every element goes through the X12 text policy (shared/x12_text.py)
with the guide's minimum and maximum length; what cannot be written raises `X12ElementError`
naming the element (never its value), so the caller can reject the claim instead of sending it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from biller.domain.model import PayerInfo, Submitter
from biller.domain.x12_837_cob import line_adjudication_loops, other_payer_loops
from shared import x12
from shared.schemas import ClaimSubmitted
from shared.schemas.common import Address
from shared.x12 import X12ElementError, code, element, money

IMPLEMENTATION = "005010X222A1"
# PAT01 / SBR02 individual relationship codes
RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
C = x12.COMPONENT_SEPARATOR


def _zip(address: Address, where: str, nine_digits: bool = False) -> str:
    """The billing provider's ZIP must have 9 digits in 5010; without a +4 we use 9998 (unknown)."""
    zip_code = code(address.zip, f"{where} N403 ZIP code", 9, 5)
    return zip_code if len(zip_code) == 9 or not nine_digits else zip_code + "9998"


def _address(
    address: Address | None, where: str, nine_digits: bool = False, required: bool = True
) -> list[x12.Segment]:
    """N3/N4; the billing provider's and the patient's are required (2010AA, 2010BA or 2010CA)."""
    if address is None:
        if required:
            raise X12ElementError(f"{where} N3/N4 address", "is required but missing")
        return []
    n3: list[object] = ["N3", element(address.line1, f"{where} N301 address line", 55, truncate=True)]
    line2 = element(address.line2, f"{where} N302 address line", 55, required=False, truncate=True)
    if line2:
        n3.append(line2)
    city = element(address.city, f"{where} N401 city", 30, 2, truncate=True)
    return [n3, ["N4", city, code(address.state, f"{where} N402 state", 2, 2), _zip(address, where, nine_digits)]]


def _person(qualifier: str, last: str, first: str, where: str) -> list[object]:
    """NM1 of a person: last name 1-60, first name 1-35 (cut to fit, as payers do)."""
    return ["NM1", qualifier, "1", element(last, f"{where} NM103 last name", 60, truncate=True),
            element(first, f"{where} NM104 first name", 35, truncate=True)]  # fmt: skip


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _claim_loops(claim: ClaimSubmitted, payer: PayerInfo, hl: int, parent: int) -> tuple[list[x12.Segment], int]:
    """2000B (and 2000C) with the claim; returns the segments and the next HL number."""
    coverage, patient = claim.coverage, claim.patient
    is_self = coverage.relationship == "self"
    member_id = element(coverage.member_id, "2010BA NM109 member id", 80, 2)
    subscriber_hl = hl
    segments: list[x12.Segment] = [
        ["HL", subscriber_hl, parent, "22", "0" if is_self else "1"],
        ["SBR", claim.payer_sequence, "18" if is_self else "",
         element(coverage.group_number, "2000B SBR03 group number", 50, required=False), "", "", "", "", "",
         code(payer.claim_filing_indicator, "2000B SBR09 claim filing indicator", 2)],
    ]  # fmt: skip
    if is_self:
        segments += [
            [*_person("IL", patient.last_name, patient.first_name, "2010BA subscriber"), "", "", "", "MI", member_id],
            *_address(patient.address, "2010BA subscriber"),
            ["DMG", "D8", _date(patient.birth_date), code(patient.sex, "2010BA DMG03 sex", 1)],
        ]
    else:
        sub = coverage.subscriber
        last, first = (sub.last_name, sub.first_name) if sub else (patient.last_name, patient.first_name)
        segments.append([*_person("IL", last, first, "2010BA subscriber"), "", "", "", "MI", member_id])
        if sub is not None:
            segments += _address(sub.address, "2010BA subscriber", required=False)
            if sub.birth_date and sub.sex:
                segments.append(["DMG", "D8", _date(sub.birth_date), code(sub.sex, "2010BA DMG03 sex", 1)])
    segments.append(["NM1", "PR", "2", element(payer.name, "2010BB NM103 payer name", 60, truncate=True),
                     "", "", "", "", "PI", element(payer.x12_payer_id, "2010BB NM109 payer id", 80, 2)])  # fmt: skip
    hl += 1
    if not is_self:
        segments += [
            ["HL", hl, subscriber_hl, "23", "0"],
            ["PAT", RELATIONSHIP[coverage.relationship]],
            _person("QC", patient.last_name, patient.first_name, "2010CA patient"),
            *_address(patient.address, "2010CA patient"),
            ["DMG", "D8", _date(patient.birth_date), code(patient.sex, "2010CA DMG03 sex", 1)],
        ]
        hl += 1
    segments += _claim(claim)
    return segments, hl


def _claim(claim: ClaimSubmitted) -> list[x12.Segment]:
    """Loop 2300 and its 2310B and 2400 loops."""
    clm05 = C.join([code(claim.place_of_service, "CLM05-1 place of service", 2, 2), "B",
                    code(claim.frequency_code, "CLM05-3 claim frequency", 1)])  # fmt: skip
    segments: list[x12.Segment] = [
        ["CLM", element(claim.patient_control_number, "CLM01 patient control number", 38),
         money(claim.total_charge_cents), "", "", clm05, "Y", "A", "Y", "Y"],
    ]  # fmt: skip
    if claim.frequency_code in ("7", "8") and claim.payer_claim_control_number:
        segments.append(["REF", "F8", element(claim.payer_claim_control_number, "REF02 payer claim number", 50)])
    if claim.prior_authorization:
        segments.append(["REF", "G1", element(claim.prior_authorization, "REF02 prior authorization", 50)])
    hi: list[object] = ["HI"]
    for n, diagnosis in enumerate(claim.diagnoses):
        qualifier = "ABK" if n == 0 else "ABF"  # principal, then other diagnoses
        hi.append(f"{qualifier}{C}{code(diagnosis.replace('.', ''), f'HI{n + 1:02d}-2 diagnosis code', 7, 3)}")
    segments.append(hi)
    rendering = claim.rendering_provider
    segments.append([*_person("82", rendering.last_name, rendering.first_name, "2310B rendering provider"),
                     "", "", "", "XX", code(rendering.npi, "2310B NM109 NPI", 10, 10)])  # fmt: skip
    if rendering.taxonomy:
        segments.append(["PRV", "PE", "PXC", code(rendering.taxonomy, "2310B PRV03 taxonomy", 10, 10)])
    segments += other_payer_loops(claim)  # 2320/2330A/2330B when the visit has other coverage
    for line in claim.service_lines:
        where = f"2400 line {line.line_number}"
        modifiers = [code(m, f"{where} SV101 modifier", 2, 2) for m in line.modifiers[:4]]
        procedure = C.join(["HC", code(line.procedure_code, f"{where} SV101-2 procedure code", 5, 5), *modifiers])
        pointers = C.join(str(p) for p in line.diagnosis_pointers[:4])
        segments += [
            ["LX", line.line_number],
            ["SV1", procedure, money(line.charge_cents), "UN", line.units, "", "", pointers],
            ["DTP", "472", "D8", _date(line.service_date)],
            ["REF", "6R", element(line.line_control_number, f"{where} REF02 line item control number", 50)],
            *line_adjudication_loops(claim, line),  # 2430: earlier payers' answers to the line
        ]
    return segments


def transaction(
    claims: Sequence[ClaimSubmitted], payer: PayerInfo, submitter: Submitter, reference: str, created: datetime
) -> list[x12.Segment]:
    """One 837P transaction (between ST and SE): the claims, grouped by billing provider."""
    payer_id = element(payer.x12_payer_id, "1000B NM109 receiver id", 80, 2)
    segments: list[x12.Segment] = [
        ["BHT", "0019", "00", element(reference, "BHT03 reference", 50), created.strftime("%Y%m%d"),
         created.strftime("%H%M"), "CH"],
        ["NM1", "41", "2", element(submitter.name, "1000A NM103 submitter name", 60, truncate=True), "", "", "", "",
         "46", element(submitter.etin, "1000A NM109 submitter id", 80, 2)],
        ["PER", "IC", element(submitter.contact_name, "1000A PER02 contact name", 60, truncate=True), "TE",
         code(submitter.phone, "1000A PER04 phone", 256)],
        ["NM1", "40", "2", element(payer.name, "1000B NM103 receiver name", 60, truncate=True), "", "", "", "",
         "46", payer_id],
    ]  # fmt: skip
    hl = 1
    by_provider: dict[str, list[ClaimSubmitted]] = {}
    for claim in claims:
        by_provider.setdefault(claim.billing_provider.npi, []).append(claim)
    for provider_claims in by_provider.values():
        billing = provider_claims[0].billing_provider
        provider_hl = hl
        segments += [
            ["HL", provider_hl, "", "20", "1"],
            ["NM1", "85", "2", element(billing.name, "2010AA NM103 billing provider name", 60, truncate=True),
             "", "", "", "", "XX", code(billing.npi, "2010AA NM109 NPI", 10, 10)],
            *_address(billing.address, "2010AA billing provider", nine_digits=True),
            ["REF", "EI", code(billing.tax_id, "2010AA REF02 tax id", 9, 9)],
        ]  # fmt: skip
        hl += 1
        for claim in provider_claims:
            claim_segments, hl = _claim_loops(claim, payer, hl, parent=provider_hl)
            segments += claim_segments
    return segments


def claim_interchange(
    claims: Sequence[ClaimSubmitted],
    payer: PayerInfo,
    submitter: Submitter,
    control_number: int,
    created: datetime,
    reference: str | None = None,
) -> str:
    """A whole 837P interchange, from the submitter to the payer."""
    envelope = x12.Envelope(
        sender_id=submitter.etin,
        receiver_id=payer.x12_payer_id,
        interchange_control_number=control_number,
        group_control_number=control_number,
        functional_id="HC",
        implementation=IMPLEMENTATION,
        transaction_set="837",
        created=created,
    )
    body = transaction(claims, payer, submitter, reference or claims[0].patient_control_number, created)
    return x12.interchange(envelope, [body])
