"""How long /health takes while the intake's worst requests are in flight (issue 12: within 100 ms).

    .venv/bin/python -m bench.intake_health [--rounds 3]

Against the running encounter, as the demo sender. The hostile load, each kind eight at once:
`{}`×300,000 (900 KB, refused 413 by count), a JSON array of 1,000 visits each with a hostile
name (1.4 MB: every item validated, the error list bounded), FHIR bundles of 2,000 entries (177
KB: the parsing process) and of 700 (62 KB, just under the process threshold: a thread), and eight
FHIR Claim searches. A separate
process probes /health every 10 ms (a fresh connection each time) for as long as the load runs;
it prints the latency figures (10 s of baseline first, with no intake load) and the answers'
statuses. Figures, not assertions: they go to
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
    small = {"resourceType": "Bundle", "type": "collection", "entry": [entry] * 700}  # just under LARGE_BODY: a thread
    return [("/visits", WORST_BODY, "{} x300,000"), ("/visits", orjson.dumps(visits), "1,000 hostile visits"),
            ("/fhir", orjson.dumps(bundle), "FHIR bundle of 2,000 entries"),
            ("/fhir", orjson.dumps(small), "FHIR bundle of 700 entries")]  # fmt: skip


def _probe(stop: Any, out: Any) -> None:
    """(time, seconds, ok) per probe, on one kept-alive connection (as a load balancer's check)."""
    probes = []
    with httpx.Client(verify=tls.http_verify(), timeout=10) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get(_url("/health")).status_code == 200
            except httpx.HTTPError:
                ok = False
            probes.append((time.time(), time.perf_counter() - started, ok))
            time.sleep(0.01)
    out.put(probes)


def _figures(probes: list[tuple[float, float, bool]]) -> dict[str, Any]:
    ms = sorted(p[1] * 1000 for p in probes)
    if not ms:
        return {"probes": 0}
    return {"probes": len(ms), "failed": sum(not p[2] for p in probes), "max_ms": round(ms[-1], 1),
            "p99_ms": round(ms[max(int(len(ms) * 0.99) - 1, 0)], 1), "p50_ms": round(statistics.median(ms), 1),
            "over_100_ms": sum(x > 100 for x in ms)}  # fmt: skip


async def _load(headers: dict[str, str], only: str) -> dict[str, list[int]]:
    answers: dict[str, list[int]] = {}
    async with httpx.AsyncClient(verify=tls.http_verify(), timeout=120) as client:
        for path, body, kind in _bodies():
            if only not in kind:
                continue
            started = time.perf_counter()
            replies = await asyncio.gather(*(client.post(_url(path), content=body, headers=headers) for _ in range(8)))
            answers[f"{kind} ({len(body) // 1024} KB)"] = [r.status_code for r in replies]
            answers[f"{kind} seconds"] = [round(time.perf_counter() - started, 2)]  # type: ignore[list-item]
        searches = await asyncio.gather(
            *(client.get(_url("/fhir/Claim?identifier=V-HEALTH-none"), headers=headers) for _ in range(8))
        )
        answers["FHIR Claim search"] = [r.status_code for r in searches]
    return answers


def main(
    rounds: int = typer.Option(3, help="times to send the whole load"),
    only: str = typer.Option("", help="only the kinds of load whose name holds this (e.g. '700 entries')"),
) -> None:
    headers = TokenCache(ClientCredentials.read()).headers()
    stop, out = multiprocessing.Event(), multiprocessing.Queue()  # type: ignore[var-annotated]
    prober = multiprocessing.Process(target=_probe, args=(stop, out))
    prober.start()
    time.sleep(10)  # the baseline: /health with no intake load, on this machine as loaded as it is
    load_started = time.time()
    answers = [asyncio.run(_load(headers, only)) for _ in range(rounds)]
    load_ended = time.time()
    stop.set()
    probes = out.get(timeout=60)
    prober.join()
    figures = {
        "baseline": _figures([p for p in probes if p[0] < load_started]),
        "under_load": _figures([p for p in probes if load_started <= p[0] <= load_ended]),
        "load_seconds": round(load_ended - load_started, 1), "load_average": os.getloadavg(), "answers": answers,
    }  # fmt: skip
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    typer.run(main)
