"""X12 835 005010X221A1 (health care claim payment/advice) for a payer's batch of remittances:
one transaction set per payee, CLP per claim answered, SVC per service line with REF*6R.
Every CLP and SVC balances by construction (the remittance events are validated to balance), and
BPR02 = the sum of CLP04 less the PLB amounts. Every element goes through the X12 text policy
(shared/x12_text.py) with the guide's lengths; what cannot be written raises `X12ElementError`
naming the element, never its value."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from payer_sim.domain.model import PayerTerms
from shared import x12
from shared.schemas import Adjustment, RemittanceIssued
from shared.x12 import code, element, money

IMPLEMENTATION = "005010X221A1"
MAX_CAS_TRIPLETS = 6


def _cas(adjustments: Sequence[Adjustment]) -> list[x12.Segment]:
    """CAS segments: one per group, at most six reason/amount pairs each."""
    by_group: dict[str, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        by_group[adjustment.group].append(adjustment)
    segments: list[x12.Segment] = []
    for group in sorted(by_group):
        items = by_group[group]
        for start in range(0, len(items), MAX_CAS_TRIPLETS):
            elements: list[object] = ["CAS", group]
            for a in items[start : start + MAX_CAS_TRIPLETS]:
                elements += [code(a.carc, "CAS reason code", 5), money(a.amount_cents), ""]
            segments.append(elements)
    return segments


def _claim(remittance: RemittanceIssued) -> list[x12.Segment]:
    r = remittance
    segments: list[x12.Segment] = [
        ["CLP", element(r.patient_control_number, "CLP01 patient control number", 38),
         code(r.claim_status_code, "CLP02 claim status", 2), money(r.total_charge_cents), money(r.paid_cents),
         money(r.patient_responsibility_cents) if r.patient_responsibility_cents else "",
         code(r.claim_filing_indicator, "CLP06 claim filing indicator", 2),
         element(r.payer_claim_control_number, "CLP07 payer claim control number", 50), "11",
         code(r.frequency_code, "CLP09 claim frequency", 1)],
        *_cas(r.claim_adjustments),
        # a payer's answer names the patient as it has them: a first name may be missing (NM104 situational)
        ["NM1", "QC", "1", element(r.patient_last_name, "2100 NM103 patient last name", 60, truncate=True),
         element(r.patient_first_name, "2100 NM104 patient first name", 35, required=False, truncate=True),
         "", "", "", "MI", element(r.member_id, "2100 NM109 member id", 80, 2)],
    ]  # fmt: skip
    if r.reverses:  # the payer claim number this reversal takes back
        segments.append(["REF", "F8", element(r.reverses, "2100 REF02 original payer claim number", 50)])
    segments.append(["DTM", "232", r.service_date.strftime("%Y%m%d")])
    for line in r.service_lines:
        modifiers = [code(m, "SVC01 modifier", 2, 2) for m in line.modifiers[:4]]
        procedure = x12.COMPONENT_SEPARATOR.join(["HC", code(line.procedure_code, "SVC01-2 procedure code", 5, 5),
                                                  *modifiers])  # fmt: skip
        segments += [
            ["SVC", procedure, money(line.charge_cents), money(line.paid_cents), "", line.units],
            ["DTM", "472", r.service_date.strftime("%Y%m%d")],
            *_cas(line.adjustments),
            ["REF", "6R", element(line.line_control_number, "2110 REF02 line item control number", 50)],
            ["AMT", "B6", money(line.allowed_cents)],
        ]
        remarks = sorted({a.rarc for a in line.adjustments if a.rarc})
        segments += [["LQ", "HE", code(rarc, "2110 LQ02 remark code", 30)] for rarc in remarks]
    return segments


def transaction(
    payer: PayerTerms, remittances: Sequence[RemittanceIssued], trace_number: str, produced: datetime
) -> list[x12.Segment]:
    """The segments of one 835 (between ST and SE) for one payee."""
    payee = remittances[0].payee
    net = sum(r.paid_cents for r in remittances)  # BPR02 = this less the PLB amounts
    date = produced.strftime("%Y%m%d")
    if net > 0:
        bpr: x12.Segment = ["BPR", "I", money(net), "C", "CHK", *[""] * 11, date]
    else:
        bpr = ["BPR", "H", "0", "C", "NON", *[""] * 11, date]
    a = payer.address
    segments: list[x12.Segment] = [
        bpr,
        ["TRN", "1", element(trace_number, "TRN02 trace number", 50), f"1{code(payer.tax_id, 'TRN03', 9, 9)}"],
        ["DTM", "405", date],
        ["N1", "PR", element(payer.name, "1000A N102 payer name", 60, truncate=True)],
        ["N3", element(a["line1"], "1000A N301 payer address", 55, truncate=True)],
        [
            "N4",
            element(a["city"], "1000A N401 payer city", 30, 2, truncate=True),
            code(a["state"], "1000A N402", 2, 2),
            code(a["zip"], "1000A N403", 9, 5),
        ],
        ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"],
        [
            "N1",
            "PE",
            element(payee.name, "1000B N102 payee name", 60, truncate=True),
            "XX",
            code(payee.npi, "1000B N104 payee NPI", 10, 10),
        ],
        ["REF", "TJ", code(payee.tax_id, "1000B REF02 payee tax id", 9, 9)],
    ]
    for number, remittance in enumerate(remittances, start=1):
        if number == 1:
            segments.append(["LX", "1"])
        segments += _claim(remittance)
    if net < 0:
        # more taken back than paid: the balance is carried forward (PLB), the payment is zero
        forward = f"FB{x12.COMPONENT_SEPARATOR}{trace_number}"
        provider = code(payee.npi, "PLB01 provider id", 10, 10)
        segments.append(["PLB", provider, f"{produced.year}1231", forward, money(net)])
    return segments


def remittance_advice(
    payer: PayerTerms, remittances: Sequence[RemittanceIssued], interchange_number: int, produced: datetime
) -> str:
    """One interchange for one payer's batch: a transaction set per payee."""
    by_payee: dict[str, list[RemittanceIssued]] = defaultdict(list)
    for remittance in remittances:
        by_payee[remittance.payee.npi].append(remittance)
    envelope = x12.Envelope(
        sender_id=payer.payer_id,
        receiver_id=next(iter(by_payee)) if len(by_payee) == 1 else "RCMFLOW",
        interchange_control_number=interchange_number,
        group_control_number=interchange_number,
        functional_id="HP",
        implementation=IMPLEMENTATION,
        transaction_set="835",
        created=produced,
    )
    bodies = [
        transaction(payer, items, f"{payer.payer_id[:3]}{interchange_number:09d}{n:03d}", produced)
        for n, (_, items) in enumerate(sorted(by_payee.items()), start=1)
    ]
    return x12.interchange(envelope, bodies)
