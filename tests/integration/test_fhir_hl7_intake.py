"""Upstream systems: FHIR R4 bundles on POST /fhir, HL7 v2 on POST /hl7v2 and over MLLP.
Each accepted visit comes out the far end as a remitted claim (or a self-pay statement)."""

import asyncio
from datetime import date

import orjson
import pytest

from bench.synthetic import VisitFactory
from encounter.adapters.reference import load_facilities
from shared.schemas import Visit
from shared.schemas.visit import DiagnosisIn, Facility, Subscriber
from shared.settings import get_settings
from tests.helpers import SENDER, intake_url, open_tls_connection, wait_for, web
from tests.samples.fhir import bundle
from tests.samples.hl7 import message

START, END = b"\x0b", b"\x1c\x0d"


def varied_visits(factory: VisitFactory) -> dict[str, Visit]:
    """A typical office visit, telehealth, preventive, a dependant's coverage, self-pay, text-only conditions."""
    made = list(factory.visits(6))
    office, tele, prevent, dependant, self_pay, text_only = made
    office.visit_type, office.patient_status, office.total_minutes = "office", "established", 25
    tele.visit_type, tele.procedures = "telehealth", []
    prevent.visit_type, prevent.procedures = "preventive", []
    assert dependant.coverage is not None
    dependant.coverage.relationship = "child"
    dependant.coverage.subscriber = Subscriber(first_name="Robin", last_name=dependant.patient.last_name,
                                               birth_date=date(1980, 4, 4), sex="F")  # fmt: skip
    self_pay.coverage = None
    text_only.diagnoses = [DiagnosisIn(text="high blood pressure")]
    text_only.visit_type = "office"  # a preventive visit would put its encounter code first
    text_only.procedures = []
    for v in made:  # FHIR and HL7 v2 carry the visit's times, not its MDM: time must support the level
        v.total_minutes = max(v.total_minutes or 0, 25)
        if v.coverage is not None and v.coverage.payer_id == "MEDICARE" and v.visit_type == "preventive":
            v.coverage.payer_id, v.coverage.plan_id = "BLUEPEAK", "BP-PPO"  # Medicare does not cover physicals
    return dict(zip(["office", "telehealth", "preventive", "dependant", "self_pay", "text_only"], made, strict=True))


async def finished(conn, visit_ids: list[str]) -> bool:  # type: ignore[no-untyped-def]
    n = await conn.fetchval(
        """SELECT count(*) FROM biller.encounters e WHERE e.visit_id = ANY($1::text[]) AND (e.outcome = 'self_pay'
             OR EXISTS (SELECT 1 FROM biller.claims c WHERE c.visit_id = e.visit_id
                        AND c.status IN ('paid', 'partially_paid', 'denied')))""",
        visit_ids,
    )
    return n == len(visit_ids)


async def test_fhir_bundle_of_several_encounters_comes_out_remitted(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visits = varied_visits(factory)
    body = bundle(list(visits.values()), kind="transaction")
    response = web().post(auth=SENDER, url=intake_url("/fhir"), content=orjson.dumps(body), timeout=30)
    assert response.status_code == 202, response.text
    ids = [v.visit_id for v in visits.values()]
    assert sorted(response.json()["accepted"]) == sorted(ids)
    assert await wait_for(lambda: finished(conn, ids), timeout=120)
    tele = await conn.fetchrow("SELECT claim FROM biller.claims WHERE visit_id = $1", visits["telehealth"].visit_id)
    assert tele["claim"]["place_of_service"] == "10" and "95" in tele["claim"]["service_lines"][0]["modifiers"]
    dependant = await conn.fetchval("SELECT claim FROM biller.claims WHERE visit_id = $1", visits["dependant"].visit_id)
    assert "PAT*19~" in dependant["x12_837"]
    coded = await conn.fetchval("SELECT result FROM coder.encounters WHERE visit_id = $1", visits["text_only"].visit_id)
    assert coded["diagnoses"][0]["code"] == "I10" and coded["diagnoses"][0]["source"] == "text"
    outcome = await conn.fetchval(
        "SELECT outcome FROM biller.encounters WHERE visit_id = $1", visits["self_pay"].visit_id
    )
    assert outcome == "self_pay"
    # a collection bundle is taken too, and the same encounters again are duplicates, not new visits
    again = web().post(
        auth=SENDER, url=intake_url("/fhir"), content=orjson.dumps(bundle(list(visits.values()), kind="collection"))
    )
    assert again.status_code == 202 and again.json()["accepted"] == []


@pytest.mark.parametrize(
    ("case", "mutate", "status", "expression"),
    [
        ("malformed JSON", lambda b: b"{not json", 400, "Bundle"),
        ("not a bundle", lambda b: orjson.dumps({"resourceType": "Patient"}), 400, "Bundle.resourceType"),
        ("wrong bundle type", lambda b: orjson.dumps({**b, "type": "searchset"}), 422, "Bundle.type"),
        ("subject of the wrong shape", lambda b: _set(b, 3, "subject", 5), 422, "Bundle.entry[3].resource.subject"),
        ("subject that resolves to nothing", lambda b: _set(b, 3, "subject", {"reference": "Patient/nobody"}), 422,
         "Bundle.entry[3].resource.subject"),
        ("no rendering practitioner", lambda b: _set(b, 3, "participant", []), 422,
         "Bundle.entry[3].resource.participant"),
    ],
)  # fmt: skip
async def test_bad_bundles_are_refused_with_an_operation_outcome(  # type: ignore[no-untyped-def]
    case, mutate, status, expression, factory, conn
) -> None:
    visit = factory.visit(0)
    body = mutate(bundle([visit]))
    response = web().post(
        auth=SENDER, url=intake_url("/fhir"), content=body if isinstance(body, bytes) else orjson.dumps(body)
    )
    assert response.status_code == status, case
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert expression in [e for issue in outcome["issue"] for e in issue["expression"]], outcome
    assert not await conn.fetchval("SELECT 1 FROM encounter.accepted_visits WHERE visit_id = $1", visit.visit_id)


def _set(b: dict, entry: int, field: str, value: object) -> dict:
    b["entry"][entry]["resource"][field] = value
    return b


def hl7_ready(visit: Visit) -> Visit:
    """Billing provider as the interface engine maps MSH-4 SPRINGFIELD. HL7 v2 carries the visit's
    times, not its MDM: the time must support the level (a 14-minute new-patient visit whose MDM
    made the level goes to review once the MDM is left behind)."""
    facility = load_facilities()["SPRINGFIELD"]
    visit.facility = Facility.model_validate({**facility, "place_of_service": visit.facility.place_of_service})
    visit.total_minutes = max(visit.total_minutes or 0, 25)
    return visit


async def test_hl7_over_http_adt_and_dft(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    adt, dft = (hl7_ready(v) for v in factory.visits(2))
    for visit, kind, charges in ((adt, "ADT^A03", "PR1"), (dft, "DFT^P03", "FT1")):
        text = message(visit, f"{factory.token}-{kind[-3:]}", kind=kind, charges_as=charges)
        response = web().post(auth=SENDER, url=intake_url("/hl7v2"), content=text.encode(), timeout=30)
        assert response.status_code == 200, response.text
        assert f"MSA|AA|{factory.token}-{kind[-3:]}" in response.text
    assert await wait_for(lambda: finished(conn, [adt.visit_id, dft.visit_id]), timeout=120)


@pytest.mark.parametrize(
    ("case", "change", "code", "status"),
    [
        ("unsupported type", lambda m: m.replace("ADT^A03^ADT_A03", "ORU^R01^ORU_R01"), "AR", 400),
        ("unknown facility", lambda m: m.replace("|SPRINGFIELD|", "|NOWHERE|"), "AE", 422),
        ("no patient segment", lambda m: "\r".join(s for s in m.split("\r") if not s.startswith("PID")), "AE", 422),
        ("bad NPI", lambda m: m.replace("^^^^^^NPI", "X^^^^^^NPI").replace("|EST|||", "|EST|||"), "AE", 422),
        ("not HL7 at all", lambda m: "hello there", "AR", 400),
    ],
)
async def test_hl7_errors_are_nakked(case, change, code, status, factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = hl7_ready(factory.visit(0))
    text = change(message(visit, f"{factory.token}-E"))
    if case == "bad NPI":
        text = text.replace(visit.provider.npi, "1234567890")
    response = web().post(auth=SENDER, url=intake_url("/hl7v2"), content=text.encode(), timeout=30)
    assert response.status_code == status, (case, response.text)
    assert f"MSA|{code}|" in response.text
    if code == "AE":
        assert "ERR|" in response.text
    assert not await conn.fetchval("SELECT 1 FROM encounter.accepted_visits WHERE visit_id = $1", visit.visit_id)


async def mllp_exchange(payloads: list[bytes]) -> list[str]:
    s = get_settings()
    reader, writer = await open_tls_connection(s.mllp_port)
    replies = []
    try:
        for payload in payloads:
            writer.write(payload)
            await writer.drain()
            data = await asyncio.wait_for(reader.readuntil(END), timeout=30)
            assert data.startswith(START), data
            replies.append(data[1:-2].decode())
    finally:
        writer.close()
    return replies


async def test_mllp_framing_ack_broken_frame_and_duplicates(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = hl7_ready(factory.visit(0))
    control = f"{factory.token}-M"
    framed = START + message(visit, control).encode() + END
    replies = await mllp_exchange([
        b"MSH|^~\\&|no start block" + END,  # a broken frame: answered with AR, the connection stays usable
        framed,
        framed,  # the same control id again: acknowledged, published once
    ])  # fmt: skip
    assert "MSA|AR|" in replies[0] and "ERR|" in replies[0]
    assert f"MSA|AA|{control}" in replies[1] and replies[2] == replies[1]
    assert replies[1].startswith("MSH|^~\\&|RCMFLOW|RCMFLOW|EHR|SPRINGFIELD|") and "ACK^A03^ACK" in replies[1]
    assert await wait_for(lambda: finished(conn, [visit.visit_id]), timeout=120)
    assert (
        await conn.fetchval("SELECT count(*) FROM encounter.accepted_visits WHERE visit_id = $1", visit.visit_id) == 1
    )
    assert await conn.fetchval("SELECT count(*) FROM coder.encounters WHERE visit_id = $1", visit.visit_id) == 1


async def test_hl7_over_mllp_varied_visits_come_out_remitted(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visits = {kind: hl7_ready(v) for kind, v in varied_visits(factory).items()}
    frames = [
        START + message(v, f"{factory.token}-{n}", kind="DFT^P03" if n % 2 else "ADT^A03",
                        charges_as="FT1" if n % 2 else "PR1").encode() + END
        for n, v in enumerate(visits.values())
    ]  # fmt: skip
    replies = await mllp_exchange(frames)
    assert all(f"MSA|AA|{factory.token}-{n}" in r for n, r in enumerate(replies)), replies
    ids = [v.visit_id for v in visits.values()]
    assert await wait_for(lambda: finished(conn, ids), timeout=120)
    tele = await conn.fetchval("SELECT claim FROM biller.claims WHERE visit_id = $1", visits["telehealth"].visit_id)
    assert tele["place_of_service"] == "10"
    dependant = await conn.fetchval("SELECT claim FROM biller.claims WHERE visit_id = $1", visits["dependant"].visit_id)
    assert dependant["coverage"]["relationship"] == "child" and "PAT*19~" in dependant["x12_837"]
    outcome = await conn.fetchval(
        "SELECT outcome FROM biller.encounters WHERE visit_id = $1", visits["self_pay"].visit_id
    )
    assert outcome == "self_pay"
