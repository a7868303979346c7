"""HL7 v2 in: ADT^A03 (visit ended) and DFT^P03 (charges), parsed with the `hl7` package and
mapped to visits; ACK/NAK messages back (MSA-1 AA accepted, AE error, AR rejected).

Field conventions (what an interface engine sends us):
  MSH-4 sending facility -> the billing provider (data/facilities.yaml); MSH-10 control id
  PID-3 patient id, PID-5 name, PID-7 birth date, PID-8 sex, PID-11 address
  PV1-7 attending (NPI^family^given), PV1-19 visit number, PV1-44/45 start/end time,
  PV1-18 patient type OFFICE | TELEHEALTH | PREVENTIVE, PV1-4 admission type NEW | EST
  IN1-2 plan, IN1-3 payer id (id^^^assigning authority), IN1-4 payer name (IN1-3 and IN1-4 are
  resolved to rcmflow's payer id through data/payers.yaml), IN1-12/13 effective/expiry,
  IN1-16 insured name, IN1-17 relationship (SEL, SPO, CHD, OTH), IN1-18 insured birth date,
  IN1-36 policy (member) number, IN1-43 insured sex; IN1 repeats for each coverage, in the order
  IN1-22 (coordination of benefits priority) gives, else IN1-1 (hl7_coverage)
  DG1-3 diagnosis code^text^I10 (text alone when the code is empty)
  PR1-3 or FT1-25 / FT1-7 procedure code^text^C4 (CPT) or HCPCS; FT1-10 quantity
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import hl7
from pydantic import ValidationError

from encounter.domain import text_policy
from encounter.domain.hl7_coverage import coverages, order_named
from encounter.domain.intake import MAX_ERRORS, MAX_HL7_BYTES, MAX_HL7_SEGMENTS
from encounter.domain.payers import PayerDirectory
from shared.schemas import Visit

SUPPORTED = {("ADT", "A03"), ("DFT", "P03")}
VISIT_TYPE = {"OFFICE": "office", "TELEHEALTH": "telehealth", "PREVENTIVE": "preventive", "": "office"}
DIAGNOSIS_SYSTEMS = {"I10", "ICD10", "ICD-10-CM", ""}
# Where a visit field comes from, so a problem names the HL7 field the sender can fix.
HL7_FIELD = {
    "visit_id": "PV1-19", "patient.id": "PID-3", "patient.last_name": "PID-5.1", "patient.first_name": "PID-5.2",
    "patient.birth_date": "PID-7", "patient.sex": "PID-8", "patient.address.line1": "PID-11.1",
    "patient.address.city": "PID-11.3", "patient.address.state": "PID-11.4", "patient.address.zip": "PID-11.5",
    "provider.npi": "PV1-7.1", "provider.last_name": "PV1-7.2", "provider.first_name": "PV1-7.3",
    "coverage.plan_id": "IN1-2", "coverage.member_id": "IN1-36", "coverage.subscriber.last_name": "IN1-16.1",
    "coverage.subscriber.first_name": "IN1-16.2", "service_date": "PV1-44", "coverages.order": "IN1-22",
}  # fmt: skip


class Hl7Error(ValueError):
    def __init__(self, ack_code: str, message: str, control_id: str = "", errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.ack_code = ack_code  # AE: the message is understood but wrong; AR: rejected outright
        self.control_id = control_id
        self.errors = errors or [message]

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a parsing process, re-raised here
        return (type(self), (self.ack_code, str(self), self.control_id, self.errors))


@dataclass(frozen=True)
class Hl7Message:
    control_id: str
    message_type: str
    sending_application: str
    sending_facility: str
    visits: list[Visit]


def _get(segment: Any, field: int, component: int = 0, repetition: int = 0) -> str:
    """A component's text, or "" when the message leaves it out."""
    try:
        value = segment[field]
        rep = value[repetition] if isinstance(value, list) else value
        if isinstance(rep, list):
            return str(rep[component]).strip() if component < len(rep) else ""
        return str(rep).strip() if component == 0 else ""
    except (IndexError, KeyError):
        return ""


def _date(text: str) -> str | None:
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) >= 8 else None


def _time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:12], "%Y%m%d%H%M") if len(text) >= 12 else None
    except ValueError:
        return None


def _segment(message: Any, name: str) -> Any | None:
    try:
        return message.segment(name)
    except KeyError:
        return None


def normalise(text: str) -> str:
    """Segments end with CR; senders also use LF or CRLF."""
    return "\r".join(line for line in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if line.strip())


def _named(path: str) -> str:
    key = re.sub(r"^coverages\.\d+\.", "coverage.", path)  # each IN1 has the same fields
    return f"{HL7_FIELD[key]} ({path})" if key in HL7_FIELD else path


def control_problems(text: str) -> list[str]:
    """The fields (PID-5, MSH-10 ...) holding control characters, in a normalised message."""
    found = []
    for line in text.split("\r"):
        if not text_policy.has_control(line):
            continue
        name = line[:3] if line[:3].isalnum() else "segment"
        for i, value in enumerate(line.split("|")):
            if text_policy.has_control(value):
                number = i + 1 if name == "MSH" else i  # MSH-1 is the field separator itself
                found.append(f"{name}-{number} {text_policy.CONTROL}")
    return found[:MAX_ERRORS]


def parse_message(text: str, facilities: dict[str, dict[str, Any]], payers: PayerDirectory) -> Hl7Message:
    if len(text) > MAX_HL7_BYTES:
        raise Hl7Error("AR", f"message longer than {MAX_HL7_BYTES} characters")
    text = normalise(text)
    if text.count("\r") >= MAX_HL7_SEGMENTS:
        raise Hl7Error("AR", f"more than {MAX_HL7_SEGMENTS} segments in one message")
    problems = control_problems(text)
    if problems:  # MSH-10 itself may be unreadable: a control id is echoed only when it is clean
        msh10 = text.split("\r", 1)[0].split("|")[9:10] if text.startswith("MSH|") else []
        control_id = msh10[0].split("^")[0] if msh10 and not text_policy.has_control(msh10[0]) else ""
        raise Hl7Error("AR" if not control_id else "AE", "; ".join(problems), control_id, problems)
    try:
        message = hl7.parse(text)
        msh = message.segment("MSH")
    except Exception as exc:  # the hl7 parser raises several kinds on garbage
        raise Hl7Error("AR", f"not an HL7 v2 message: {type(exc).__name__}") from None
    control_id = _get(msh, 10)
    kind = (_get(msh, 9, 0), _get(msh, 9, 1))
    if not control_id:
        raise Hl7Error("AR", "MSH-10 message control id is missing")
    if kind not in SUPPORTED:
        raise Hl7Error("AR", f"message type {'^'.join(kind)} is not accepted (ADT^A03, DFT^P03)", control_id)
    if len(control_id) > 199:
        raise Hl7Error("AR", "MSH-10 message control id is longer than 199 characters")
    facility_id = _get(msh, 4, 0)
    try:
        visit, errors = _visit(message, facilities.get(facility_id), facility_id, payers)
    except Exception as exc:  # a segment shaped unlike HL7 v2: name the kind of error, never the value
        raise Hl7Error("AE", f"a segment could not be read ({type(exc).__name__})", control_id) from None
    if not errors:
        errors = [f"{_named(p.field)}: {p.message}" for p in text_policy.apply(visit)]
    if errors:
        raise Hl7Error("AE", "; ".join(errors), control_id, errors[:MAX_ERRORS])
    try:
        parsed = Visit.model_validate(visit)
    except ValidationError as exc:
        found = [f"{_named('.'.join(str(p) for p in e['loc']))}: {order_named(e['msg'])}"
                 for e in exc.errors(include_input=False)]  # fmt: skip
        raise Hl7Error("AE", "; ".join(found), control_id, found[:MAX_ERRORS]) from None
    return Hl7Message(control_id, "^".join(kind), _get(msh, 3), facility_id, [parsed])


def _visit(
    message: Any, facility: dict[str, Any] | None, facility_id: str, payers: PayerDirectory
) -> tuple[dict[str, Any], list[str]]:
    errors = []
    pid, pv1 = _segment(message, "PID"), _segment(message, "PV1")
    if facility is None:
        errors.append(f"MSH-4 sending facility {facility_id!r} is not a known billing provider")
    if pid is None:
        errors.append("PID segment is missing")
    if pv1 is None:
        errors.append("PV1 segment is missing")
    if errors:
        return {}, errors
    start, end = _time(_get(pv1, 44)), _time(_get(pv1, 45))
    visit_type = VISIT_TYPE.get(_get(pv1, 18).upper(), "office")
    address = None
    if _get(pid, 11, 0):
        address = {"line1": _get(pid, 11, 0), "city": _get(pid, 11, 2), "state": _get(pid, 11, 3),
                   "zip": _get(pid, 11, 4).replace("-", "")}  # fmt: skip
    diagnoses = []
    for dg1 in message.segments("DG1") if _segment(message, "DG1") is not None else []:
        code, text, system = _get(dg1, 3, 0), _get(dg1, 3, 1), _get(dg1, 3, 2)
        if code and system.upper() in DIAGNOSIS_SYSTEMS:
            diagnoses.append({"code": code})
        elif text:
            diagnoses.append({"text": text})
    procedures = []
    for name, field in (("PR1", 3), ("FT1", 25)):
        if _segment(message, name) is None:
            continue
        for seg in message.segments(name):
            code, text = _get(seg, field, 0), _get(seg, field, 1)
            if name == "FT1" and not code:
                code, text = _get(seg, 7, 0), _get(seg, 7, 1)
            units = int(_get(seg, 10) or 1) if name == "FT1" and _get(seg, 10).isdigit() else 1
            procedures.append({"code": code, "units": units} if code else {"text": text, "units": units})
    in1s = list(message.segments("IN1")) if _segment(message, "IN1") is not None else []
    covered, problems = coverages(in1s, payers, _get, _date)
    if problems:
        return {}, problems
    visit = {
        "visit_id": _get(pv1, 19),
        "patient": {"id": _get(pid, 3, 0), "last_name": _get(pid, 5, 0), "first_name": _get(pid, 5, 1),
                    "birth_date": _date(_get(pid, 7)), "sex": _get(pid, 8) or "U", "address": address},
        "provider": {"npi": _get(pv1, 7, 0), "last_name": _get(pv1, 7, 1), "first_name": _get(pv1, 7, 2)},
        "facility": {**(facility or {}), "place_of_service": "10" if visit_type == "telehealth"
                     else (facility or {}).get("place_of_service", "11")},
        "service_date": start.date().isoformat() if start else None,
        "visit_type": visit_type,
        "patient_status": "new" if _get(pv1, 4).upper() == "NEW" else "established",
        "total_minutes": int((end - start).total_seconds() // 60) if start and end else None,
        "diagnoses": diagnoses,
        "procedures": procedures,
        "coverages": covered,  # in paying order (IN1-22, else IN1-1): hl7_coverage
    }  # fmt: skip
    return visit, []


def ack(incoming: str, code: str, control_id: str, text: str = "", errors: list[str] | None = None) -> str:
    """An ACK for a message: MSH (sender and receiver swapped), MSA, and ERR for each error."""
    sending_app = sending_facility = message_event = version = ""
    try:
        if not text_policy.has_control(incoming.split("\r", 1)[0].split("\n", 1)[0]):  # never echo a NUL back
            msh = hl7.parse(normalise(incoming)).segment("MSH")
            sending_app, sending_facility = _escape(_get(msh, 3))[:180], _escape(_get(msh, 4))[:180]
            message_event, version = _escape(_get(msh, 9, 1))[:3], _escape(_get(msh, 12))[:8]
    except Exception:  # an ACK must go out even for garbage
        pass
    now = datetime.now().strftime("%Y%m%d%H%M%S")
    segments = [
        f"MSH|^~\\&|RCMFLOW|RCMFLOW|{sending_app}|{sending_facility}|{now}||ACK^{message_event}^ACK|"
        f"ACK{control_id or now}|P|{version or '2.5.1'}",
        f"MSA|{code}|{control_id}" + (f"|{_escape(text)[:80]}" if text else ""),
    ]
    for error in errors or []:
        segments.append(f"ERR|||207^Application internal error^HL70357|E||||{_escape(error)[:250]}")
    return "\r".join(segments) + "\r"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\").replace("&", "\\T\\")
            .replace("~", "\\R\\").replace("\r", " ").replace("\n", " "))  # fmt: skip
