"""POST /visits on the running encounter service, with real Kafka and Postgres behind it."""

import httpx
import orjson

from bench.synthetic import VisitFactory
from shared.schemas import VISITS
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, intake_url, read_since, visit_ids_of, wait_for, web


def post(body: bytes) -> httpx.Response:
    return web().post(
        auth=SENDER, url=intake_url(), content=body, headers={"content-type": "application/json"}, timeout=30
    )


def test_malformed_json_is_rejected_naming_the_body() -> None:
    response = post(b'{"visit_id": "V-1", ')
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_missing_visit_id_bad_date_and_bad_npi_are_named(factory: VisitFactory) -> None:
    visit = orjson.loads(factory.visit(0).model_dump_json())
    del visit["visit_id"]
    visit["service_date"] = "2026-02-30"
    visit["facility"]["npi"] = "1234567890"
    response = post(orjson.dumps(visit))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"visit_id", "service_date", "facility.npi"}


async def test_rejected_request_publishes_nothing_and_a_visit_is_accepted_once(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    good, bad, later = (orjson.loads(factory.visit(i).model_dump_json()) for i in range(3))
    bad["patient"]["sex"] = "X"
    before = await end_offsets(VISITS)

    rejected = post(orjson.dumps([good, bad]))
    assert rejected.status_code == 422
    assert [e["field"] for e in rejected.json()["errors"]] == ["[1].patient.sex"]

    first = post(orjson.dumps([later, later]))
    assert first.status_code == 202
    assert first.json()["accepted"] == [later["visit_id"]]
    again = post(orjson.dumps(later))
    assert again.status_code == 202
    assert again.json()["accepted"] == [] and again.json()["duplicates"] == [later["visit_id"]]

    async def coded() -> bool:
        return bool(await conn.fetchval("SELECT 1 FROM coder.encounters WHERE visit_id = $1", later["visit_id"]))

    assert await wait_for(coded, timeout=60)
    published = visit_ids_of(await read_since(VISITS, before))
    assert published.count(later["visit_id"]) == 1
    assert good["visit_id"] not in published and bad["visit_id"] not in published
    assert (
        await conn.fetchval("SELECT count(*) FROM encounter.accepted_visits WHERE visit_id = $1", good["visit_id"]) == 0
    )
