"""X12 837P 005010X222A1 (professional claim) for one or more claims to one payer.

Loops: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B/2010BA/2010BB
subscriber and payer, 2000C/2010CA patient when the patient is not the subscriber, 2300 claim
(CLM, REF*F8 on replacements and voids, REF*G1 prior authorisation, HI diagnoses), 2310B
rendering provider, 2400 service lines (LX, SV1, DTP*472, REF*6R)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from biller.domain.model import PayerInfo, Submitter
from shared import x12
from shared.schemas import ClaimSubmitted
from shared.schemas.common import Address
from shared.x12 import clean, money

IMPLEMENTATION = "005010X222A1"
# PAT01 / SBR02 individual relationship codes
RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}


def _zip(address: Address, nine_digits: bool = False) -> str:
    """The billing provider's ZIP must have 9 digits in 5010; without a +4 we use 9998 (unknown)."""
    return address.zip if len(address.zip) == 9 or not nine_digits else address.zip + "9998"


def _address(address: Address | None, nine_digits: bool = False) -> list[x12.Segment]:
    if address is None:
        return []
    n3: list[object] = ["N3", clean(address.line1)]
    if address.line2:
        n3.append(clean(address.line2))
    return [n3, ["N4", clean(address.city), address.state, _zip(address, nine_digits)]]


def _claim_loops(claim: ClaimSubmitted, payer: PayerInfo, hl: int, parent: int) -> tuple[list[x12.Segment], int]:
    """2000B (and 2000C) with the claim; returns the segments and the next HL number."""
    coverage, patient = claim.coverage, claim.patient
    is_self = coverage.relationship == "self"
    subscriber_hl = hl
    segments: list[x12.Segment] = [
        ["HL", subscriber_hl, parent, "22", "0" if is_self else "1"],
        ["SBR", "P", "18" if is_self else "", clean(coverage.group_number or ""), "", "", "", "", "",
         payer.claim_filing_indicator],
    ]  # fmt: skip
    if is_self:
        segments += [
            ["NM1", "IL", "1", clean(patient.last_name), clean(patient.first_name), "", "", "", "MI",
             clean(coverage.member_id)],
            *_address(patient.address),
            ["DMG", "D8", patient.birth_date.strftime("%Y%m%d"), patient.sex],
        ]  # fmt: skip
    else:
        sub = coverage.subscriber
        last, first = (sub.last_name, sub.first_name) if sub else (patient.last_name, patient.first_name)
        segments.append(["NM1", "IL", "1", clean(last), clean(first), "", "", "", "MI", clean(coverage.member_id)])
        if sub is not None:
            segments += _address(sub.address)
            if sub.birth_date and sub.sex:
                segments.append(["DMG", "D8", sub.birth_date.strftime("%Y%m%d"), sub.sex])
    segments.append(["NM1", "PR", "2", clean(payer.name), "", "", "", "", "PI", clean(payer.x12_payer_id)])
    hl += 1
    if not is_self:
        segments += [
            ["HL", hl, subscriber_hl, "23", "0"],
            ["PAT", RELATIONSHIP[coverage.relationship]],
            ["NM1", "QC", "1", clean(patient.last_name), clean(patient.first_name)],
            *_address(patient.address),
            ["DMG", "D8", patient.birth_date.strftime("%Y%m%d"), patient.sex],
        ]
        hl += 1
    clm05 = x12.COMPONENT_SEPARATOR.join([claim.place_of_service, "B", claim.frequency_code])
    segments.append(["CLM", clean(claim.patient_control_number), money(claim.total_charge_cents), "", "", clm05,
                     "Y", "A", "Y", "Y"])  # fmt: skip
    if claim.frequency_code in ("7", "8") and claim.payer_claim_control_number:
        segments.append(["REF", "F8", clean(claim.payer_claim_control_number)])
    if claim.prior_authorization:
        segments.append(["REF", "G1", clean(claim.prior_authorization)])
    hi: list[object] = ["HI"]
    for n, code in enumerate(claim.diagnoses):
        qualifier = "ABK" if n == 0 else "ABF"  # principal, then other diagnoses
        hi.append(f"{qualifier}{x12.COMPONENT_SEPARATOR}{code.replace('.', '')}")
    segments.append(hi)
    rendering = claim.rendering_provider
    segments.append(["NM1", "82", "1", clean(rendering.last_name), clean(rendering.first_name), "", "", "", "XX",
                     rendering.npi])  # fmt: skip
    if rendering.taxonomy:
        segments.append(["PRV", "PE", "PXC", rendering.taxonomy])
    for line in claim.service_lines:
        procedure = x12.COMPONENT_SEPARATOR.join(["HC", line.procedure_code, *line.modifiers[:4]])
        pointers = x12.COMPONENT_SEPARATOR.join(str(p) for p in line.diagnosis_pointers[:4])
        segments += [
            ["LX", line.line_number],
            ["SV1", procedure, money(line.charge_cents), "UN", line.units, "", "", pointers],
            ["DTP", "472", "D8", line.service_date.strftime("%Y%m%d")],
            ["REF", "6R", clean(line.line_control_number)],
        ]
    return segments, hl


def transaction(
    claims: Sequence[ClaimSubmitted], payer: PayerInfo, submitter: Submitter, reference: str, created: datetime
) -> list[x12.Segment]:
    """One 837P transaction (between ST and SE): the claims, grouped by billing provider."""
    segments: list[x12.Segment] = [
        ["BHT", "0019", "00", clean(reference)[:30], created.strftime("%Y%m%d"), created.strftime("%H%M"), "CH"],
        ["NM1", "41", "2", clean(submitter.name), "", "", "", "", "46", clean(submitter.etin)],
        ["PER", "IC", clean(submitter.contact_name), "TE", submitter.phone],
        ["NM1", "40", "2", clean(payer.name), "", "", "", "", "46", clean(payer.x12_payer_id)],
    ]
    hl = 1
    by_provider: dict[str, list[ClaimSubmitted]] = {}
    for claim in claims:
        by_provider.setdefault(claim.billing_provider.npi, []).append(claim)
    for provider_claims in by_provider.values():
        billing = provider_claims[0].billing_provider
        provider_hl = hl
        segments += [
            ["HL", provider_hl, "", "20", "1"],
            ["NM1", "85", "2", clean(billing.name), "", "", "", "", "XX", billing.npi],
            *_address(billing.address, nine_digits=True),
            ["REF", "EI", billing.tax_id],
        ]
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
