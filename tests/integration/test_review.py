"""Review by people: an encounter the engine will not code waits in GET /review; a person's codes
on POST /review/{visit_id} are validated and sent on as coded by a person, once."""

import orjson

from bench.synthetic import VisitFactory
from shared.settings import get_settings
from tests.helpers import CODER, service_url, wait_for, web
from tests.integration.test_intake_http import post


def coder_url(path: str) -> str:
    s = get_settings()
    return service_url(s.coder_port, path)


async def test_review_round_trip(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = orjson.loads(factory.visit(0).model_dump_json())
    # a category, and an uncertain diagnosis with no symptom documented (outpatient: not coded as confirmed)
    visit["diagnoses"] = [{"code": "M54.5"}, {"text": "thyroid nodule maybe"}]
    visit["procedures"] = []
    assert post(orjson.dumps(visit)).status_code == 202

    async def queued() -> bool:
        items = (
            web().get(auth=CODER, url=coder_url(f"/review?visit_id={visit['visit_id']}"), timeout=10).json()["items"]
        )
        return any(i["visit_id"] == visit["visit_id"] for i in items)

    assert await wait_for(queued, timeout=60)
    [item] = web().get(auth=CODER, url=coder_url(f"/review?visit_id={visit['visit_id']}&limit=500")).json()["items"]
    reasons = {r["code"]: r for r in item["reasons"]}
    assert set(reasons) == {"icd-not-billable", "dx-text-unsure"}
    assert "M54.50" in reasons["icd-not-billable"]["suggestions"]
    assert "E04.1" in reasons["dx-text-unsure"]["suggestions"]

    bad = {"coder": "Test Coder", "diagnoses": ["M54.5"], "service_lines": [
        {"procedure_code": "99213", "diagnosis_pointers": [2]}]}  # fmt: skip
    refused = web().post(
        auth=CODER, url=coder_url(f"/review/{visit['visit_id']}"), content=orjson.dumps(bad), timeout=10
    )
    assert refused.status_code == 422
    assert "not billable" in refused.text and "pointers" in refused.text

    good = {"coder": "Test Coder", "diagnoses": ["M54.50", "G43.009"], "service_lines": [
        {"procedure_code": "99213", "diagnosis_pointers": [1, 2]}]}  # fmt: skip
    accepted = web().post(
        auth=CODER, url=coder_url(f"/review/{visit['visit_id']}"), content=orjson.dumps(good), timeout=10
    )
    assert accepted.status_code == 202, accepted.text
    again = web().post(
        auth=CODER, url=coder_url(f"/review/{visit['visit_id']}"), content=orjson.dumps(good), timeout=10
    )
    assert again.status_code == 404  # coded once: the item is closed

    async def remitted() -> bool:
        return bool(await conn.fetchval(
            "SELECT 1 FROM biller.claims WHERE visit_id = $1 AND status IN ('paid', 'partially_paid', 'denied')",
            visit["visit_id"]))  # fmt: skip

    assert await wait_for(remitted, timeout=90)
    row = await conn.fetchrow("SELECT outcome, reviewed_by, result FROM coder.encounters WHERE visit_id = $1",
                              visit["visit_id"])  # fmt: skip
    # the logged-in person (tests.helpers.CODER), not the body's "Test Coder": nobody codes under another name
    assert row["outcome"] == "reviewed" and row["reviewed_by"] == "test-coder"
    assert row["result"]["coded_by"] == "person"
    claim = await conn.fetchval("SELECT claim FROM biller.claims WHERE visit_id = $1", visit["visit_id"])
    assert claim["diagnoses"] == ["M54.50", "G43.009"]
    assert await conn.fetchval("SELECT count(*) FROM biller.claims WHERE visit_id = $1", visit["visit_id"]) == 1


def test_review_input_is_refused_with_422_never_500() -> None:
    for limit in ("abc", "-1", "0", "501", "100000000", "1.5", ""):
        answer = web().get(auth=CODER, url=coder_url(f"/review?limit={limit}"), timeout=10)
        assert answer.status_code == 422, (limit, answer.status_code)
        assert answer.json()["errors"][0]["field"] == "limit"
    assert web().get(auth=CODER, url=coder_url("/review?limit=500"), timeout=10).status_code == 200
    assert web().get(auth=CODER, url=coder_url("/review?visit_id=%00x"), timeout=10).status_code == 422
    good = {"coder": "Test Coder", "diagnoses": ["M54.50"], "service_lines": [
        {"procedure_code": "99213", "diagnosis_pointers": [1]}]}  # fmt: skip
    for path, body in [
        ("/review/%00bad", orjson.dumps(good)),  # not a visit id
        ("/review/" + "V" * 65, orjson.dumps(good)),
        ("/review/V-NOT-QUEUED", b"{not json"),
        ("/review/V-NOT-QUEUED", b""),
        ("/review/V-NOT-QUEUED", b"[]"),
        ("/review/V-NOT-QUEUED", orjson.dumps({**good, "service_lines": [{"procedure_code": "x"}]})),
    ]:
        answer = web().post(auth=CODER, url=coder_url(path), content=body, timeout=10)
        assert answer.status_code == 422, (path, body, answer.status_code, answer.text)
        assert answer.json()["errors"]
    assert (
        web()
        .post(auth=CODER, url=coder_url("/review/V-NOT-QUEUED"), content=orjson.dumps(good), timeout=10)
        .status_code
        == 404
    )
