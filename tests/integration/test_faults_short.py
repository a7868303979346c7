"""The short subset of the fault matrix (`rcm chaos`, bench/faults/): a kill -9 of the biller
and a 10-second Postgres crash while visits flow. Nothing may be lost or done twice, the ledger
must rebuild from the topics, and the pipeline must move again by itself (how soon is a figure
for docs/reliability.md, not an assertion: this machine's load decides it)."""

from __future__ import annotations

import re

import pytest

from bench.faults import stack
from bench.faults.faults import rows
from bench.faults.matrix import Result, run_row
from shared.pipeline import stage
from tests.helpers import service_url, web

pytestmark = pytest.mark.slow

VISITS, RATE = 200, 40


def restarts_of(worker: str) -> float:
    """rcm_service_restarts_total from the worker's supervisor (its port + 5)."""
    port = stage("biller").port(0) + 5
    text = web().get(service_url(port, "/metrics"), timeout=5).text
    found = re.search(rf'^rcm_service_restarts_total\{{service="{worker}"\}} (\S+)$', text, re.M)
    assert found, f"no restart counter for {worker} on :{port}"
    return float(found.group(1))


def assert_survived(result: Result) -> None:
    assert result.lost == 0, result
    assert result.published_twice == 0, result
    assert result.duplicate_claims == 0, result
    assert result.duplicate_postings == 0, result
    assert result.dead_letters == 0, result
    assert result.rebuild_clean, result
    assert result.recovery_seconds is not None, result  # every stalled group moved again
    assert result.manual_steps == "none", result


async def test_biller_killed_is_restarted_and_loses_nothing() -> None:
    row = {r.name: r for r in rows()}["kill-biller"]
    before = restarts_of("biller-0")
    old_pid = stack.pid_of("svc-biller-0")
    result = await run_row(row, VISITS, RATE, settle=150)
    assert_survived(result)
    assert stack.pid_of("svc-biller-0") != old_pid  # a new process, started by the supervisor
    assert restarts_of("biller-0") == before + 1


def postmaster_pid() -> int:
    return int((stack.run_dir() / "postgres" / "data" / "postmaster.pid").read_text().split()[0])


async def test_postgres_crash_of_ten_seconds_loses_nothing() -> None:
    row = {r.name: r for r in rows()}["postgres-10s"]
    before = postmaster_pid()
    assert_survived(await run_row(row, VISITS, RATE, settle=150))
    assert postmaster_pid() != before  # the server really went down and came back
