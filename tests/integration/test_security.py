"""Issue 13, application side, tried as an attacker on the same machine would (docs/security.md):
no credentials, another facility, the wrong role, forged, expired and foreign tokens, a revoked
client, too many requests — each refused, nothing published; and every read and change of patient
data on the access log, whose chain verifies and breaks when a record is changed."""

from __future__ import annotations

import time
import uuid

import asyncpg
import orjson
import pytest

from bench.synthetic import VisitFactory
from shared.schemas import VISITS
from shared.security import access_log, store, tokens
from shared.security.cli import register_client
from shared.security.credentials import ClientCredentials, TokenRefused, request_token
from shared.security.policy import SENDER_SCOPES
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import (
    AUDITOR,
    BILLER,
    CODER,
    SENDER,
    as_person,
    intake_url,
    open_tls_connection,
    read_since,
    service_url,
    visit_ids_of,
    wait_for,
    web,
)
from tests.integration.test_review import coder_url


async def client_for(conn: asyncpg.Connection, facilities: list[str], **kwargs: object) -> ClientCredentials:
    return await register_client(conn, f"test-{uuid.uuid4().hex[:6]}", SENDER_SCOPES, facilities, [], **kwargs)  # type: ignore[arg-type]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def nothing_published(before: dict[int, int], visit_id: str) -> bool:
    return visit_id not in visit_ids_of(await read_since(VISITS, before))


async def test_no_token_is_401_on_every_channel_and_nothing_is_published(factory: VisitFactory) -> None:
    visit = factory.visit(0)
    before = await end_offsets(VISITS)
    answer = web().post(intake_url(), content=visit.model_dump_json(), timeout=30)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert visit.patient.last_name not in answer.text
    fhir = web().post(intake_url("/fhir"), content=b"{}", timeout=30)
    assert fhir.status_code == 401 and fhir.json()["resourceType"] == "OperationOutcome"
    hl7 = web().post(intake_url("/hl7v2"), content=b"MSH|^~\\&|EHR|SPRINGFIELD|", timeout=30)
    assert hl7.status_code == 401 and "MSA|AR|" in hl7.text
    assert web().get(intake_url(f"/visits/{visit.visit_id}"), timeout=30).status_code == 401
    assert web().get(coder_url("/review"), timeout=30).status_code == 401
    garbage = web().post(intake_url(), content=visit.model_dump_json(), headers=bearer("not.a.jwt"), timeout=30)
    assert garbage.status_code == 401
    assert await nothing_published(before, visit.visit_id)


async def test_a_sender_cannot_submit_for_another_facility(factory: VisitFactory, conn: asyncpg.Connection) -> None:
    visit = factory.visit(0)
    creds = await client_for(conn, ["1234567893"])  # another practice's NPI
    token, _ = request_token(creds)
    before = await end_offsets(VISITS)
    answer = web().post(intake_url(), content=visit.model_dump_json(), headers=bearer(token), timeout=30)
    assert answer.status_code == 403, answer.text
    assert "facility" in answer.text and visit.facility.npi not in answer.text
    # its own facility (by TIN) is fine
    mine = await client_for(conn, [visit.facility.tax_id])
    accepted = web().post(intake_url(), content=visit.model_dump_json(), headers=bearer(request_token(mine)[0]))
    assert accepted.status_code == 202, accepted.text
    assert await nothing_published(before, "never") and visit.visit_id in visit_ids_of(await read_since(VISITS, before))


async def test_hl7_over_http_needs_the_bound_msh4(factory: VisitFactory, conn: asyncpg.Connection) -> None:
    from encounter.adapters.reference import load_facilities
    from tests.samples.hl7 import message

    springfield = load_facilities()["SPRINGFIELD"]
    creds = await client_for(conn, [str(springfield["npi"])])  # the facility, but not bound to MSH-4
    text = message(factory.visit(0), f"SEC{uuid.uuid4().hex[:8]}")
    answer = web().post(intake_url("/hl7v2"), content=text.encode(), headers=bearer(request_token(creds)[0]))
    assert answer.status_code == 403 and "MSA|AR|" in answer.text and "MSH-4" in answer.text


def test_the_wrong_role_is_403() -> None:
    assert web().get(coder_url("/review?limit=1"), auth=BILLER, timeout=30).status_code == 403
    assert web().get(coder_url("/review?limit=1"), auth=SENDER, timeout=30).status_code == 403
    decision = {"coder": "x", "diagnoses": ["I10"], "service_lines": [{"procedure_code": "99213"}]}
    refused = web().post(coder_url("/review/V-ANY"), auth=AUDITOR, content=orjson.dumps(decision), timeout=30)
    assert refused.status_code == 403  # an auditor reads the queue but does not code
    assert web().post(intake_url(), auth=CODER, content=b"[]", timeout=30).status_code == 403
    assert web().get(coder_url("/review?limit=1"), auth=CODER, timeout=30).status_code == 200


async def test_forged_expired_and_foreign_tokens_are_401(conn: asyncpg.Connection) -> None:
    real = await store.signing_key(conn)
    foreign = tokens.new_key_pair()
    forged = tokens.KeyPair(real.kid, foreign.private_pem, foreign.public_jwk)  # the issuer's kid, another key
    expired, _ = tokens.issue(real, "test-coder", "user", ["review.read"], ["coder"], -120)
    claims = ("test-coder", "user", ["review.read"], ["coder"], 300)
    for token in (tokens.issue(forged, *claims)[0], tokens.issue(foreign, *claims)[0], expired):
        answer = web().get(coder_url("/review?limit=1"), headers=bearer(token), timeout=30)
        assert answer.status_code == 401, answer.text
    # the same claims, signed by the issuer, pass: the refusals above are the signature and the expiry
    good, _ = tokens.issue(real, "test-coder", "user", ["review.read"], ["coder"], 300)
    CODER.token()  # makes sure test-coder exists
    assert web().get(coder_url("/review?limit=1"), headers=bearer(good), timeout=30).status_code == 200


async def test_a_revoked_client_is_refused(factory: VisitFactory, conn: asyncpg.Connection) -> None:
    visit = factory.visit(0)
    creds = await client_for(conn, [visit.facility.npi])
    token, _ = request_token(creds)
    status = intake_url(f"/visits/{visit.visit_id}")
    assert web().get(status, headers=bearer(token), timeout=30).status_code == 404  # let in; no such visit
    assert await store.revoke(conn, "clients", creds.client_id)

    async def refused() -> bool:
        return web().get(status, headers=bearer(token), timeout=30).status_code == 401

    assert await wait_for(refused, timeout=30)  # identities are re-read every few seconds
    with pytest.raises(TokenRefused, match="invalid_client"):
        request_token(creds)


async def test_an_assertion_is_used_once(conn: asyncpg.Connection) -> None:
    creds = await client_for(conn, ["1234567893"])
    assertion = tokens.client_assertion(creds.client_id, creds.private_pem, creds.kid, creds.token_url)
    form = {"grant_type": "client_credentials", "client_assertion_type": tokens.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion}  # fmt: skip
    assert web().post(creds.token_url, data=form, timeout=30).status_code == 200
    replay = web().post(creds.token_url, data=form, timeout=30)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"


async def test_rate_limit_is_429_with_retry_after(conn: asyncpg.Connection) -> None:
    creds = await client_for(conn, ["1234567893"], rate=0.2, burst=2)
    headers = bearer(request_token(creds)[0])
    answers = [web().get(intake_url("/visits/V-RATE-0"), headers=headers, timeout=30) for _ in range(4)]
    assert [a.status_code for a in answers[:2]] == [404, 404]
    assert answers[-1].status_code == 429 and int(answers[-1].headers["Retry-After"]) >= 1


def test_health_and_metrics_stay_open_and_faust_debug_views_are_off() -> None:
    s = get_settings()
    for port in (s.encounter_port, s.coder_port):
        assert web().get(service_url(port, "/metrics"), timeout=30).status_code == 200
        for path in ("/router/", "/table/", "/graph/", "/stats/"):
            assert web().get(service_url(port, path), timeout=30).status_code == 404, path
    assert web().get(intake_url("/health"), timeout=30).status_code == 200
    assert web().get(intake_url("/.well-known/jwks.json"), timeout=30).json()["keys"]


async def test_reads_and_changes_are_on_the_access_log_and_the_chain_verifies(
    factory: VisitFactory, conn: asyncpg.Connection
) -> None:
    import subprocess
    import sys

    visit = orjson.loads(factory.visit(0).model_dump_json())
    visit["diagnoses"], visit["procedures"] = [{"code": "M54.5"}], []  # not billable: waits for a person
    since = time.time()
    assert web().post(intake_url(), auth=SENDER, content=orjson.dumps(visit), timeout=30).status_code == 202
    patient = visit["patient"]["id"]

    async def queued() -> bool:
        answer = web().get(coder_url(f"/review?visit_id={visit['visit_id']}"), auth=CODER, timeout=30)
        return bool(answer.json()["items"])

    assert await wait_for(queued, timeout=60)
    decision = {"coder": "someone else", "diagnoses": ["M54.50"],
                "service_lines": [{"procedure_code": "99213", "diagnosis_pointers": [1]}]}  # fmt: skip
    decided = web().post(coder_url(f"/review/{visit['visit_id']}"), auth=CODER, content=orjson.dumps(decision))
    assert decided.status_code == 202, decided.text
    rcm = [sys.executable, "-m", "shared.cli.root"]
    audit = subprocess.run([*rcm, "audit", "visit", visit["visit_id"], "--json"], capture_output=True, timeout=300,
                           env=as_person("biller"))  # fmt: skip
    assert audit.returncode == 0, audit.stderr
    denied = subprocess.run([*rcm, "audit", "visit", visit["visit_id"]], capture_output=True, timeout=300,
                            env=as_person("coder"))  # fmt: skip
    assert denied.returncode == 3 and b"audit.read" in denied.stderr

    rows = await conn.fetch(
        "SELECT who, action, what FROM security.access_log WHERE $1 = ANY(patients) "
        "AND recorded_at >= to_timestamp($2) ORDER BY seq",
        patient,
        since,
    )
    seen = {(r["who"], r["action"], r["what"]) for r in rows}
    sender = ClientCredentials.read().client_id
    assert (sender, "C", "POST json visits") in seen
    assert ("test-coder", "R", "GET /review") in seen
    assert ("test-coder", "U", "POST /review/{visit_id}") in seen
    assert ("test-biller", "R", "rcm audit visit") in seen
    # the privacy officer's question, answered by the command
    answer = subprocess.run([*rcm, "access-log", "--patient", patient, "--json"], capture_output=True, timeout=300,
                            env=as_person("auditor"))  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert {r["who"] for r in orjson.loads(answer.stdout)} >= {sender, "test-coder", "test-biller"}

    verified = subprocess.run([*rcm, "access-log", "verify"], capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0 and "chain verified" in verified.stdout, verified.stdout + verified.stderr


async def test_the_access_log_refuses_changes_and_verify_names_a_tampered_record(conn: asyncpg.Connection) -> None:
    target = access_log.Access("test-coder", "user", ["coder"], "test", "test", "R", "tamper target", ["P-X"])
    seq = await access_log.record(conn, target)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await conn.execute("UPDATE security.access_log SET who = 'nobody' WHERE seq = $1", seq)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await conn.execute("DELETE FROM security.access_log WHERE seq = $1", seq)
    tx = conn.transaction()
    await tx.start()
    try:  # as a superuser could: the trigger off, one record changed — seen, then rolled back
        await conn.execute("ALTER TABLE security.access_log DISABLE TRIGGER access_log_no_update_or_delete")
        await conn.execute("UPDATE security.access_log SET who = 'nobody' WHERE seq = $1", seq)
        verdict = await access_log.verify(conn)
        assert verdict.first_broken == seq and "hash" in verdict.reason
    finally:
        await tx.rollback()
    assert (await access_log.verify(conn)).first_broken is None


def test_console_pages_need_a_logged_in_person_with_the_role() -> None:
    from tests.helpers import user_token

    s = get_settings()
    base = service_url(s.console_port)
    away = web().get(f"{base}/review-queue", timeout=30)
    assert away.status_code == 303 and away.headers["Location"].startswith("/login")
    biller = {"rcm_session": user_token("biller")}
    assert web().get(f"{base}/review-queue", cookies=biller, timeout=30).status_code == 403
    assert web().get(f"{base}/denials", cookies=biller, timeout=30).status_code == 200
    assert (
        web().get(f"{base}/review-queue", cookies={"rcm_session": user_token("coder")}, timeout=30).status_code == 200
    )
    assert web().get(f"{base}/denials", cookies={"rcm_session": "forged"}, timeout=30).status_code == 303
    wrong = web().post(f"{base}/login", data={"username": "test-biller", "password": "not it"}, timeout=30)
    assert wrong.status_code == 401 and "rcm_session" not in wrong.cookies


async def test_mllp_takes_a_message_only_from_the_one_sender_bound_to_its_msh4(
    factory: VisitFactory, conn: asyncpg.Connection
) -> None:
    import asyncio

    from tests.integration.test_fhir_hl7_intake import END, START, hl7_ready
    from tests.samples.hl7 import message

    visit = hl7_ready(factory.visit(0))
    s = get_settings()

    async def send(text: str) -> str:
        reader, writer = await open_tls_connection(s.mllp_port)
        try:
            writer.write(START + text.encode() + END)
            await writer.drain()
            return (await asyncio.wait_for(reader.readuntil(END), 30)).decode()
        finally:
            writer.close()

    assert "MSA|AA|" in await send(message(visit, f"{factory.token}-M1"))  # SPRINGFIELD: the demo sender's
    # a second client claiming the same MSH-4: the listener cannot tell who is sending, so it takes nothing
    rival = await register_client(conn, "test-rival", SENDER_SCOPES, [visit.facility.npi], ["SPRINGFIELD"])
    try:
        before = await end_offsets(VISITS)
        answer = await send(message(hl7_ready(factory.visit(1)), f"{factory.token}-M2"))
        assert "MSA|AR|" in answer and "MSH-4" in answer
        assert await nothing_published(before, factory.visit(1).visit_id)
    finally:
        await store.revoke(conn, "clients", rival.client_id)
