"""How long /health takes while the intake's worst requests are in flight (issue 12: within 100 ms).

    .venv/bin/python -m bench.intake_health [--rounds 3]

Against the running encounter, as the demo sender. The hostile load, each kind eight at once:
`{}`×300,000 (900 KB, refused 413 by count), a JSON array of 1,000 visits each with a hostile
name (about 1.6 MB: every item validated, the error list bounded), a FHIR bundle of 2,000
entries (about 1.5 MB: parsed in the parsing process), and eight FHIR Claim searches. A separate
process probes /health every 10 ms (a fresh connection each time) for as long as the load runs;
it prints the latency figures and the answers' statuses. Figures, not assertions: they go to
docs/security.md with the machine's load."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import time
from typing import Any

import httpx
import orjson
import typer

from bench.synthetic import VisitFactory
from shared import tls
from shared.security.credentials import ClientCredentials, TokenCache
from shared.settings import get_settings

WORST_BODY = b"[" + b",".join([b"{}"] * 300_000) + b"]"


def _url(path: str) -> str:
    return tls.url(get_settings().encounter_port, path)


def _bodies() -> list[tuple[str, bytes, str]]:
    factory = VisitFactory(seed=12)
    visits = []
    for n, visit in enumerate(factory.visits(1000)):
        doc = orjson.loads(visit.model_dump_json())
        doc["visit_id"] = f"V-HEALTH-{os.getpid()}-{n}"
        doc["patient"]["last_name"] = "Ñúñez\x00" * 8  # refused: a NUL, named per item
        visits.append(doc)
    entry = {"resource": {"resourceType": "Patient", "id": "p", "name": [{"family": "Jos\u00e9", "given": ["X"]}]}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [entry] * 2000}
    return [("/visits", WORST_BODY, "{} x300,000"), ("/visits", orjson.dumps(visits), "1,000 hostile visits"),
            ("/fhir", orjson.dumps(bundle), "FHIR bundle of 2,000 entries")]  # fmt: skip


def _probe(stop: Any, out: Any) -> None:
    latencies, failures = [], 0
    with httpx.Client(verify=tls.http_verify(), timeout=10) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get(_url("/health"), headers={"connection": "close"}).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            failures += not ok
            time.sleep(0.01)
    out.put((latencies, failures))


async def _load(headers: dict[str, str]) -> dict[str, list[int]]:
    answers: dict[str, list[int]] = {}
    async with httpx.AsyncClient(verify=tls.http_verify(), timeout=120) as client:
        for path, body, kind in _bodies():
            started = time.perf_counter()
            replies = await asyncio.gather(*(client.post(_url(path), content=body, headers=headers) for _ in range(8)))
            answers[f"{kind} ({len(body) // 1024} KB)"] = [r.status_code for r in replies]
            answers[f"{kind} seconds"] = [round(time.perf_counter() - started, 2)]  # type: ignore[list-item]
        searches = await asyncio.gather(
            *(client.get(_url("/fhir/Claim?identifier=V-HEALTH-none"), headers=headers) for _ in range(8))
        )
        answers["FHIR Claim search"] = [r.status_code for r in searches]
    return answers


def main(rounds: int = typer.Option(3, help="times to send the whole load")) -> None:
    headers = TokenCache(ClientCredentials.read()).headers()
    stop, out = multiprocessing.Event(), multiprocessing.Queue()  # type: ignore[var-annotated]
    prober = multiprocessing.Process(target=_probe, args=(stop, out))
    prober.start()
    time.sleep(0.5)
    answers = [asyncio.run(_load(headers)) for _ in range(rounds)]
    stop.set()
    latencies, failures = out.get(timeout=60)
    prober.join()
    ms = sorted(x * 1000 for x in latencies)
    figures = {
        "probes": len(ms), "failed": failures, "max_ms": round(ms[-1], 1),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 1), "p50_ms": round(statistics.median(ms), 1),
        "over_100_ms": sum(x > 100 for x in ms), "load_average": os.getloadavg(), "answers": answers,
    }  # fmt: skip
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    typer.run(main)
