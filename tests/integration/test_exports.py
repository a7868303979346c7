"""`rcm export 837|835` over what the running pipeline recorded: files per payer batch, valid X12."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson
import pytest

from bench.synthetic import VisitFactory
from shared import x12
from tests.helpers import as_person, wait_for
from tests.integration.test_intake_http import post
from tests.property import readers


@pytest.fixture
async def some_billed_visits(factory: VisitFactory, conn) -> str:  # type: ignore[no-untyped-def]
    """Bills a dozen visits; returns the time they started, for --since."""
    since = datetime.now(UTC).isoformat()
    visits = [orjson.loads(v.model_dump_json()) for v in factory.visits(12)]
    assert post(orjson.dumps(visits)).status_code == 202

    async def remitted() -> bool:
        n = await conn.fetchval(
            "SELECT count(*) FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE $1",
            f"V-{factory.token}-%",
        )
        return n >= 10

    assert await wait_for(remitted, timeout=90)
    return since


@pytest.mark.parametrize(("kind", "transaction"), [("837", "ST*837*"), ("835", "ST*835*")])
async def test_export_writes_valid_files(
    kind: str,
    transaction: str,
    tmp_path: Path,
    some_billed_visits: str,
    factory: VisitFactory,
    conn: asyncpg.Connection,
) -> None:
    since = some_billed_visits
    command = [
        sys.executable,
        "-m",
        "shared.cli.root",
        "export",
        kind,
        "--out",
        str(tmp_path),
        "--since",
        since,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=as_person("biller"))
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(tmp_path.glob(f"*.{kind}"))
    assert files
    for path in files:
        text = path.read_text()
        assert text.startswith("ISA*") and transaction in text
        assert x12.validate(text) == [], path.name
        # a second, independent reader (openx12) reads back every claim or remittance in the file
        loops = [seg for seg in readers.segments(text) if seg[0] == ("CLM" if kind == "837" else "CLP")]
        read = readers.read_837(text) if kind == "837" else readers.read_835(text)
        assert loops and len(read.claims) == len(loops), path.name
    # the access log names every patient whose claim or remittance went into the files (issue 13)
    remitted = {r["patient_id"] for r in await conn.fetch(
        "SELECT c.patient_id FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE $1",
        f"V-{factory.token}-%")}  # fmt: skip
    recorded = await conn.fetchval(
        "SELECT patients FROM security.access_log WHERE what = $1 ORDER BY seq DESC LIMIT 1", f"rcm export {kind}"
    )
    assert remitted and remitted <= set(recorded)


def test_export_fhir_writes_valid_claims_and_explanations(tmp_path: Path, some_billed_visits: str) -> None:
    from fhir.resources.R4B.claim import Claim
    from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

    command = [sys.executable, "-m", "shared.cli.root", "export", "fhir", "--out", str(tmp_path),
               "--since", some_billed_visits]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=as_person("biller"))
    assert result.returncode == 0, result.stdout + result.stderr
    claims, eobs = sorted(tmp_path.glob("Claim-*.json")), sorted(tmp_path.glob("ExplanationOfBenefit-*.json"))
    assert len(claims) >= 10 and len(eobs) >= 10
    for path in claims:
        Claim.model_validate_json(path.read_text())
    for path in eobs:
        eob = ExplanationOfBenefit.model_validate_json(path.read_text())
        assert eob.outcome == "complete" and eob.item and eob.item[0].adjudication
