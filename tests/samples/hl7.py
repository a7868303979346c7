"""Synthetic HL7 v2 messages made from synthetic visits (no real patient anywhere)."""

from __future__ import annotations

from shared.schemas import Visit

REL = {"self": "SEL", "spouse": "SPO", "child": "CHD", "other": "OTH"}


def message(
    visit: Visit, control_id: str, kind: str = "ADT^A03", facility: str = "SPRINGFIELD", charges_as: str = "PR1"
) -> str:
    day = visit.service_date.strftime("%Y%m%d")
    minutes = visit.total_minutes or 20
    start, end = f"{day}0900", f"{day}{9 + (minutes // 60):02d}{minutes % 60:02d}"
    p = visit.patient
    address = f"{p.address.line1}^^{p.address.city}^{p.address.state}^{p.address.zip}" if p.address else ""
    ptype = {"office": "OFFICE", "telehealth": "TELEHEALTH", "preventive": "PREVENTIVE"}[visit.visit_type]
    admission = "NEW" if visit.patient_status == "new" else "EST"
    pv1 = [
        "PV1",
        "1",
        "O",
        "CLINIC",
        admission,
        "",
        "",
        f"{visit.provider.npi}^{visit.provider.last_name}^{visit.provider.first_name}^^^^^^NPI",
    ]
    pv1 += [""] * 10 + [ptype, visit.visit_id] + [""] * 24 + [start, end]
    segments = [
        f"MSH|^~\\&|EHR|{facility}|RCMFLOW|RCMFLOW|{day}103000||{kind}^{kind.replace('^', '_')}|{control_id}|P|2.5.1",
        f"EVN|{kind.split('^')[1]}|{day}103000",
        f"PID|1||{p.id}^^^EHR^MR||{p.last_name}^{p.first_name}||{p.birth_date:%Y%m%d}|{p.sex}|||{address}",
        "|".join(pv1),
    ]
    # one IN1 each, IN1-1 the set id, IN1-22 the COB priority (`coverage`, which tests set, is the primary)
    for c in [visit.coverage, *visit.coverages[1:]] if visit.coverage else []:
        sub = c.subscriber
        insured = f"{sub.last_name}^{sub.first_name}" if sub else f"{p.last_name}^{p.first_name}"
        insured_dob = f"{sub.birth_date:%Y%m%d}" if sub and sub.birth_date else f"{p.birth_date:%Y%m%d}"
        eff = f"{c.effective_date:%Y%m%d}" if c.effective_date else ""
        in1 = (
            ["IN1", str(c.order or 1), c.plan_id or "", c.payer_id, c.payer_id]
            + [""] * 7
            + [eff, "", "", "", insured, REL[c.relationship], insured_dob]
        )
        in1 += [""] * 3 + [str(c.order or 1)] + [""] * 13 + [c.member_id] + [""] * 6
        in1 += [(sub.sex if sub and sub.sex else p.sex)]
        segments.append("|".join(in1))
    for n, dx in enumerate(visit.diagnoses, start=1):
        field = f"{dx.code}^^I10" if dx.code else f"^{dx.text}^I10"
        segments.append(f"DG1|{n}||{field}||{day}|F")
    for n, proc in enumerate(visit.procedures, start=1):
        field = f"{proc.code}^^C4" if proc.code else f"^{proc.text}^C4"
        if charges_as == "FT1":
            ft1 = ["FT1", str(n), "", "", day, "", "CG", field, "", "", str(proc.units)] + [""] * 14 + [field]
            segments.append("|".join(ft1))
        else:
            segments.append(f"PR1|{n}||{field}||{day}0900")
    return "\r".join(segments) + "\r"
