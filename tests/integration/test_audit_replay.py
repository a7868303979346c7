"""Replay and audit on the real topics: a visit's whole story, recoding after a table change,
rebuilding the ledger from the topics, and reprocessing without billing anything twice."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from bench.synthetic import VisitFactory
from coder.adapters.reference import DATA_DIR
from shared.plugins import hooks
from tests.helpers import as_person, wait_for
from tests.integration.test_intake_http import post


def rcm(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shared.cli.root", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=as_person("biller"))


async def billed(factory: VisitFactory, conn, visits: list[dict]) -> None:  # type: ignore[no-untyped-def]
    assert post(orjson.dumps(visits)).status_code == 202

    async def done() -> bool:
        n = await conn.fetchval(
            """SELECT count(*) FROM biller.encounters e WHERE e.visit_id = ANY($1::text[]) AND NOT EXISTS
                 (SELECT 1 FROM biller.claims c WHERE c.visit_id = e.visit_id AND c.status = 'submitted')""",
            [v["visit_id"] for v in visits],
        )
        return n == len(visits)

    assert await wait_for(done, timeout=90)


@pytest.fixture
async def visits(factory: VisitFactory, conn) -> list[dict]:  # type: ignore[no-untyped-def]
    made = [orjson.loads(v.model_dump_json()) for v in factory.visits(8)]
    made[0]["diagnoses"] = [{"text": "high blood pressure"}, {"code": "E78.5"}]
    made[1]["diagnoses"] = [{"text": "HTN"}]
    for v in made[2:]:
        v["diagnoses"] = [d for d in v["diagnoses"] if "text" not in d] or [{"code": "J30.9"}]
        v["diagnoses"] = [d for d in v["diagnoses"] if d.get("code") != "I10"] or [{"code": "J30.9"}]
    for v in made:
        v["procedures"] = []  # the E/M alone: no procedure left without the diagnosis that justified it
        v["visit_type"] = "office"  # no preventive encounter code ahead of the documented diagnoses
    await billed(factory, conn, made)
    return made


async def test_audit_shows_all_four_stages(visits: list[dict]) -> None:
    result = rcm("audit", "visit", visits[0]["visit_id"], "--json")
    assert result.returncode == 0, result.stderr
    story = orjson.loads(result.stdout)
    topics = [e["topic"] for e in story["events"]]
    assert topics[:4] == ["visits", "coded-encounters", "claims", "remittances"]
    for event in story["events"]:
        assert event["offset"] >= 0 and event["timestamp"] and event["event"]["producer"]["version"]
    assert [e["event"]["producer"]["service"] for e in story["events"][:4]] == [
        "encounter",
        "coder",
        "biller",
        "payer-sim",
    ]
    assert story["ledger"]["claims"] and story["ledger"]["postings"]


async def test_recode_after_a_table_change_reports_exactly_the_affected_encounters(
    visits: list[dict], tmp_path: Path
) -> None:
    tables = tmp_path / "coder-data"
    shutil.copytree(DATA_DIR, tables)
    phrases = tables / "diagnosis_phrases.csv"
    phrases.write_text(phrases.read_text().replace("high blood pressure,I10", "high blood pressure,I11.9")
                       .replace("htn,I10", "htn,I11.9"))  # fmt: skip
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    result = rcm("recode", "--from", since, "--tables", str(tables), "--json")
    assert result.returncode == 0, result.stderr
    changed = {c["visit_id"]: c for c in orjson.loads(result.stdout)}
    ours = {v["visit_id"] for v in visits}
    assert {v for v in changed if v in ours} == {visits[0]["visit_id"], visits[1]["visit_id"]}
    first = changed[visits[0]["visit_id"]]
    assert first["old_diagnoses"][0] == "I10" and first["new_diagnoses"][0] == "I11.9"
    assert first["old_coder_version"] != first["new_coder_version"]
    # the same lines, the same prices; no dollars at all while no package provides rcmflow.pricing
    assert first["dollar_difference_cents"] == (0 if hooks("pricing") else None)
    unchanged = rcm("recode", "--from", since, "--json")
    assert not {c["visit_id"] for c in orjson.loads(unchanged.stdout)} & ours


async def test_rebuild_matches_and_then_finds_a_changed_row(visits: list[dict], conn) -> None:  # type: ignore[no-untyped-def]
    clean = rcm("rebuild", "--verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    claim_id = await conn.fetchval("SELECT claim_id FROM biller.claims WHERE visit_id = $1", visits[2]["visit_id"])
    await conn.execute("UPDATE biller.claims SET paid_cents = paid_cents + 1 WHERE claim_id = $1", claim_id)
    try:
        tampered = rcm("rebuild", "--verify")
        assert tampered.returncode == 1
        assert claim_id in tampered.stdout and "paid_cents" in tampered.stdout
        assert "claims: 1 difference" in tampered.stdout
    finally:
        await conn.execute("UPDATE biller.claims SET paid_cents = paid_cents - 1 WHERE claim_id = $1", claim_id)


async def test_reprocess_bills_nothing_twice(factory: VisitFactory, visits: list[dict], conn) -> None:  # type: ignore[no-untyped-def]
    ids = [v["visit_id"] for v in visits]

    async def counts() -> tuple[int, int, int, int]:
        row = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM biller.claims WHERE visit_id = ANY($1::text[])) AS claims,
                      (SELECT count(*) FROM biller.postings p JOIN biller.claims c USING (claim_id)
                        WHERE c.visit_id = ANY($1::text[])) AS postings,
                      (SELECT count(*) FROM payer_sim.adjudications a JOIN biller.claims c USING (claim_id)
                        WHERE c.visit_id = ANY($1::text[])) AS adjudications,
                      (SELECT coalesce(sum(amount_cents), 0) FROM biller.patient_ledger
                        WHERE visit_id = ANY($1::text[])) AS owed""",
            ids,
        )
        return tuple(row)  # type: ignore[return-value]

    before = await counts()
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    remitted_before = rcm("replay", "remittances", "--from", since, "--out", "/dev/stdout")
    result = rcm("reprocess", "visits", "--from", since)
    assert result.returncode == 0, result.stderr

    async def went_round_again() -> bool:
        replay = rcm("replay", "remittances", "--from", since, "--out", "/dev/stdout")
        return replay.stdout.count(ids[0]) > remitted_before.stdout.count(ids[0])

    assert await wait_for(went_round_again, timeout=90, every=2)
    assert await counts() == before
