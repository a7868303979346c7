"""Metrics on every service, Prometheus scraping and answering queries, alert rules that
promtool accepts, and a dashboard whose every query names a metric the services expose."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from bench.synthetic import VisitFactory
from shared.pipeline import STAGES
from tests.helpers import service_url, wait_for, web
from tests.integration.test_intake_http import post

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = f"http://127.0.0.1:{os.environ.get('PROMETHEUS_PORT', '9090')}"


def metrics_urls() -> dict[str, str]:
    return {s.service: service_url(s.port(), "/metrics") for s in STAGES}


def scrape() -> dict[str, str]:
    return {name: web().get(url, timeout=10).text for name, url in metrics_urls().items()}


def sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith((name + "{", name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def push_visits(factory: VisitFactory, conn, n: int = 20) -> None:  # type: ignore[no-untyped-def]
    visits = [orjson.loads(v.model_dump_json()) for v in factory.visits(n)]
    assert post(orjson.dumps(visits)).status_code == 202

    async def posted() -> bool:
        count = await conn.fetchval(
            "SELECT count(*) FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE $1",
            f"V-{factory.token}-%",
        )
        return count >= n - 2  # a visit or two may be rejected or sent to review

    assert await wait_for(posted, timeout=90)


async def test_metrics_are_served_and_move(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    before = scrape()
    await push_visits(factory, conn)
    after = scrape()
    for name, text in after.items():
        assert "# HELP rcm_events_total" in text, name
        assert "faust_" in text, f"{name}: faust's own sensor is missing"
    moved = [
        ("coder", "rcm_events_total", {"outcome": "coded"}),
        ("biller", "rcm_dollars_total", {"kind": "billed"}),
        ("biller", "rcm_end_to_end_seconds_count", {}),
        ("payer-sim", "rcm_stage_seconds_count", {}),
    ]
    for service, name, labels in moved:
        assert sample(after[service], name, **labels) > sample(before[service], name, **labels), (service, name)
    for name in ("rcm_stage_seconds_bucket", "rcm_claims_total", "rcm_consumer_lag", "rcm_review_queue_size"):
        assert any(name in text for text in after.values()), name


async def test_prometheus_scrapes_and_answers(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    def query(q: str) -> list[dict]:
        return web().get(f"{PROMETHEUS}/api/v1/query", params={"query": q}, timeout=10).json()["data"]["result"]

    # a rate needs two scrapes that saw the counters move: make sure the series exist, then push again
    await push_visits(factory, conn)

    async def scraped() -> bool:
        return bool(query("rcm_end_to_end_seconds_count"))

    assert await wait_for(scraped, timeout=60, every=2)
    factory.token += "B"
    await push_visits(factory, conn)
    queries = {
        "stage rate": "sum by (service) (rate(rcm_events_total[1m]))",
        "end-to-end p99": "histogram_quantile(0.99, sum by (le) (rate(rcm_end_to_end_seconds_bucket[2m])))",
    }
    answers: dict[str, list] = {}

    async def answered() -> bool:
        for name, q in queries.items():
            answers[name] = [r for r in query(q) if r["value"][1] not in ("NaN", "0")]
        stages = {r["metric"].get("service") for r in answers["stage rate"]}
        return bool(answers["end-to-end p99"]) and stages >= {"coder", "biller", "payer-sim"}

    assert await wait_for(answered, timeout=90, every=3), answers
    assert {r["metric"]["service"] for r in answers["stage rate"]} >= {"coder", "biller", "payer-sim"}
    assert float(answers["end-to-end p99"][0]["value"][1]) > 0
    targets = web().get(f"{PROMETHEUS}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
    assert {t["labels"]["component"] for t in targets if t["health"] == "up"} >= {
        "encounter",
        "coder",
        "biller",
        "payer-sim",
    }


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool comes with Debian's prometheus (make install)")
def test_alert_rules_and_config_are_valid() -> None:
    rules = subprocess.run(["promtool", "check", "rules", str(ROOT / "deploy/prometheus/alerts.yml")],
                           capture_output=True, text=True)  # fmt: skip
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "6 rules found" in rules.stdout
    config_file = str(ROOT / "deploy/prometheus/prometheus.yml")
    config = subprocess.run(
        ["promtool", "check", "config", "--syntax-only", config_file], capture_output=True, text=True
    )
    assert config.returncode == 0, config.stdout + config.stderr


def test_dashboard_queries_name_exposed_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/rcmflow.json").read_text())
    exposed = " ".join(scrape().values())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(dashboard["panels"]) >= 6 and exprs
    for expr in exprs:
        names = set(re.findall(r"\b(rcm_[a-z_]+|faust_[a-z_]+)", expr))
        assert names, expr
        for name in names:
            assert f"# HELP {re.sub(r'_(bucket|sum|count)$', '', name)} " in exposed, f"{name} in {expr!r}"
