"""X12 835 005010X221A1 (health care claim payment/advice) for a payer's batch of remittances:
one transaction set per payee, CLP per claim answered, SVC per service line with REF*6R.
Every CLP and SVC balances by construction (the remittance events are validated to balance)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from payer_sim.domain.model import PayerTerms
from shared import x12
from shared.schemas import Adjustment, RemittanceIssued
from shared.x12 import clean, money

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
                elements += [a.carc, money(a.amount_cents), ""]
            segments.append(elements)
    return segments


def _claim(remittance: RemittanceIssued) -> list[x12.Segment]:
    r = remittance
    segments: list[x12.Segment] = [
        ["CLP", clean(r.patient_control_number), r.claim_status_code, money(r.total_charge_cents),
         money(r.paid_cents), money(r.patient_responsibility_cents) if r.patient_responsibility_cents else "",
         r.claim_filing_indicator, clean(r.payer_claim_control_number), "11", r.frequency_code],
        *_cas(r.claim_adjustments),
        ["NM1", "QC", "1", clean(r.patient_last_name), clean(r.patient_first_name), "", "", "", "MI",
         clean(r.member_id)],
    ]  # fmt: skip
    if r.reverses:
        segments.append(["REF", "F8", clean(r.reverses)])  # the payer claim number this reversal takes back
    segments.append(["DTM", "232", r.service_date.strftime("%Y%m%d")])
    for line in r.service_lines:
        procedure = x12.COMPONENT_SEPARATOR.join(["HC", line.procedure_code, *line.modifiers[:4]])
        segments += [
            ["SVC", procedure, money(line.charge_cents), money(line.paid_cents), "", line.units],
            ["DTM", "472", r.service_date.strftime("%Y%m%d")],
            *_cas(line.adjustments),
            ["REF", "6R", clean(line.line_control_number)],
            ["AMT", "B6", money(line.allowed_cents)],
        ]
        remarks = sorted({a.rarc for a in line.adjustments if a.rarc})
        segments += [["LQ", "HE", rarc] for rarc in remarks]
    return segments


def transaction(
    payer: PayerTerms, remittances: Sequence[RemittanceIssued], trace_number: str, produced: datetime
) -> list[x12.Segment]:
    """The segments of one 835 (between ST and SE) for one payee."""
    payee = remittances[0].payee
    net = sum(r.paid_cents for r in remittances)
    date = produced.strftime("%Y%m%d")
    if net > 0:
        bpr: x12.Segment = ["BPR", "I", money(net), "C", "CHK", *[""] * 11, date]
    else:
        bpr = ["BPR", "H", "0", "C", "NON", *[""] * 11, date]
    a = payer.address
    segments: list[x12.Segment] = [
        bpr,
        ["TRN", "1", trace_number, f"1{payer.tax_id}"],
        ["DTM", "405", date],
        ["N1", "PR", clean(payer.name)],
        ["N3", clean(a["line1"])],
        ["N4", clean(a["city"]), a["state"], a["zip"]],
        ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"],
        ["N1", "PE", clean(payee.name), "XX", payee.npi],
        ["REF", "TJ", payee.tax_id],
    ]
    for number, remittance in enumerate(remittances, start=1):
        if number == 1:
            segments.append(["LX", "1"])
        segments += _claim(remittance)
    if net < 0:
        # more taken back than paid: the balance is carried forward (PLB), the payment is zero
        segments.append(
            ["PLB", payee.npi, f"{produced.year}1231", f"FB{x12.COMPONENT_SEPARATOR}{trace_number}", money(net)]
        )
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
