"""Benchmarks of one stage at a time: the payer's and the biller's use cases on a scratch
database, the coder's pure function and the coder service with one and two workers."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from datetime import UTC, datetime
from functools import partial

import typer

from bench.measure import peak_rss_mb, report, run_dir, service_pids
from bench.raw_chain import count_until, produce_raw, topics_for_run
from shared import db, kafka
from shared.settings import get_settings


def payer(
    claims: int = typer.Option(5000, "--claims", "-n"),
    batch: int = typer.Option(500, "--batch", help="claims per transaction, as the service takes them"),
    seed: int | None = typer.Option(None, "--seed"),
) -> None:
    """Adjudications per second with accumulators in Postgres (the payer's own work, no Kafka)."""

    import gc

    from bench.synthetic import VisitFactory, synthetic_claims
    from payer_sim.adapters import MIGRATIONS_DIR
    from payer_sim.adapters.reference import load_reference
    from payer_sim.domain.claims import Knobs
    from payer_sim.service_layer.handlers import adjudicate_claims
    from payer_sim.service_layer.unit_of_work import PayerUnitOfWork
    from shared.unit_of_work import DiscardingPublisher, run_in_unit_of_work

    reference = load_reference()
    today = datetime.now(UTC).date()
    batch_claims = synthetic_claims(VisitFactory(seed=seed).visits(claims))
    # The input claims and the tables stay alive for the whole run; the service freezes what is
    # alive at start-up too (payer_sim.entrypoints.app.warm_up): collections then scan only what
    # adjudicating allocates, not the benchmark's own input.
    gc.freeze()

    async def run() -> tuple[float, float]:
        url = db.sibling_url("_bench")  # a scratch database: a benchmark never touches the live ledger
        await db.recreate_database(url)
        database = db.Database("payer_sim", MIGRATIONS_DIR, url)
        pool = await database.pool()
        try:
            started, cpu = time.perf_counter(), time.process_time()
            for start in range(0, len(batch_claims), batch):
                chunk = batch_claims[start : start + batch]
                use_case = partial(adjudicate_claims, chunk, reference=reference, knobs=Knobs(), today=today)
                await run_in_unit_of_work(lambda: PayerUnitOfWork(pool), use_case, DiscardingPublisher())
            return time.perf_counter() - started, time.process_time() - cpu
        finally:
            await database.close()

    elapsed, cpu_seconds = asyncio.run(run())
    report(
        "rcm bench payer",
        {
            "claims": len(batch_claims),
            "batch": batch,
            "seconds": round(elapsed, 2),
            "claims_per_second": round(len(batch_claims) / elapsed, 1),
            # this process's CPU (adjudication, pydantic, the driver); the rest of the wall time is Postgres
            # and waiting for a core, which on a shared machine varies far more than this does
            "python_cpu_ms_per_claim": round(cpu_seconds / len(batch_claims) * 1000, 3),
        },
    )


def biller(
    claims: int = typer.Option(5000, "--claims", "-n", help="coded encounters to bill"),
    batch: int = typer.Option(500, "--batch", help="encounters per transaction, as the service takes them"),
    seed: int | None = typer.Option(None, "--seed"),
) -> None:
    """Claims built, scrubbed, rendered to 837P and stored per second (the biller's own work, no Kafka)."""

    from bench.synthetic import VisitFactory, synthetic_coded_encounters
    from biller import bootstrap
    from biller.adapters import MIGRATIONS_DIR
    from biller.domain.claims import decide
    from biller.service_layer.handlers import PRODUCER, bill_encounters
    from shared.unit_of_work import DiscardingPublisher, run_in_unit_of_work

    ref = bootstrap.reference()
    now = datetime.now(UTC)
    encounters = synthetic_coded_encounters(VisitFactory(seed=seed).visits(claims), now)

    async def run() -> tuple[float, float, int]:
        url = db.sibling_url("_bench")  # a scratch database: a benchmark never touches the live ledger
        await db.recreate_database(url)
        database = db.Database("biller", MIGRATIONS_DIR, url)
        make_uow = await bootstrap.unit_of_work(database)
        built = 0
        domain_seconds = 0.0
        try:
            # the claims' own work (build, scrub, render) on its own, for the per-claim figure
            for c in encounters[:batch]:
                t = time.perf_counter()
                decision = decide(c, ref.charge_master, ref.payers, PRODUCER, ref.submitter, now.date())
                domain_seconds += time.perf_counter() - t
                built += len(decision.claims) + len(decision.rejected)
            domain_per_claim = domain_seconds / max(built, 1)
            built = 0
            started = time.perf_counter()
            for start in range(0, len(encounters), batch):
                chunk = encounters[start : start + batch]
                billed = await run_in_unit_of_work(make_uow, partial(bill_encounters, chunk, reference=ref, now=now),
                                                   DiscardingPublisher())  # fmt: skip
                built += sum(len(d.claims) + len(d.rejected) for d in billed.decisions)
            return time.perf_counter() - started, domain_per_claim * built, built
        finally:
            await database.close()

    elapsed, domain_seconds, built = asyncio.run(run())
    report(
        "rcm bench biller",
        {
            "claims": built,
            "batch": batch,
            "seconds": round(elapsed, 2),
            "claims_per_second": round(built / elapsed, 1),
            "build_scrub_render_ms_per_claim": round(domain_seconds / max(built, 1) * 1000, 3),
        },
    )


STEADY_WINDOW = (0.2, 0.9)  # share of the run's events: after start-up and assignment, before the tail


def steady_rate(progress: list[tuple[float, int]], total: int) -> float:
    """Events per second between the looks where 20 % and 90 % of `total` had arrived: the workers
    running, start-up (process, tables, group assignment, first fetch) and the last stragglers left out."""
    low, high = (next(p for p in progress if p[1] >= share * total) for share in STEADY_WINDOW)
    return round((high[1] - low[1]) / (high[0] - low[0]), 1) if high[0] > low[0] else 0.0


def coder_service_run(visits: list, workers: int) -> dict[str, float]:
    """The coder service end to end on topics and a database of its own: `workers` processes
    in one group; the visits topic pre-filled before they start; time to the last coded event,
    and the steady-state rate (`steady_rate`: start-up excluded)."""
    import subprocess
    import sys

    from shared.schemas import CODED_ENCOUNTERS, CODING_REVIEW, VISITS, Producer, VisitReceived
    from shared.schemas.common import utcnow

    suffix = f".bench-{secrets.token_hex(3)}"
    names = [VISITS + suffix, CODED_ENCOUNTERS + suffix, CODING_REVIEW + suffix]
    asyncio.run(topics_for_run(names, create=True))
    url = db.sibling_url("_bench")
    asyncio.run(db.recreate_database(url))
    payloads = []
    for visit in visits:
        event = VisitReceived.of(visit, utcnow(), Producer(service="bench"))
        payloads.append((event.key, kafka.encode(event)))
    asyncio.run(produce_raw(names[0], payloads))
    settings = get_settings()
    procs = []
    try:
        for n in range(workers):
            env = {
                **os.environ,
                "CODER_TOPIC_SUFFIX": suffix,
                "DATABASE_URL": url,
                "CODER_DATABASE_URL": url,  # the scratch database, as the admin that made it (shared/db.py)
                "KAFKA_PRINCIPAL": "admin",  # its topics and group are the benchmark's own, outside the coder's ACLs
                "CODER_WORKER": str(n),
                "CODER_PORT": str(settings.coder_port + 900),  # beside the running workers' ports
                "RCM_DATA_DIR": str(run_dir() / "bench-faust"),
            }
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "coder.entrypoints.app"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        progress: list[tuple[float, int]] = []
        elapsed = asyncio.run(count_until(names[1], len(visits), timeout=900, progress=progress))
        rss = max(peak_rss_mb(p.pid) for p in procs)
        return {
            "seconds": round(elapsed, 2),
            "visits_per_second": round(len(visits) / elapsed, 1),
            "steady_visits_per_second": steady_rate(progress, len(visits)),
            "peak_rss_mb": round(rss, 1),
        }
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        asyncio.run(topics_for_run(names, create=False))


def _service_runs(batch: list) -> dict[str, object]:
    one, two = coder_service_run(batch, 1), coder_service_run(batch, 2)
    return {
        "service_1_worker": one,
        "service_2_workers": two,
        "steady_two_workers_over_one": round(two["steady_visits_per_second"] / one["steady_visits_per_second"], 2)
        if one["steady_visits_per_second"]
        else None,
    }


def coder(
    visits: int = typer.Option(10_000, "--visits", "-n"),
    seed: int | None = typer.Option(1, "--seed"),
    service: bool = typer.Option(True, "--service/--no-service", help="also run coder workers end to end"),
) -> None:
    """The pure coding function on one core (visits/s), the coder's start-up (tables and the
    ICD-10-CM text index built), and the coder service end to end with one worker, then two
    (its own topics, group and scratch database; the visits topic pre-filled)."""
    import subprocess
    import sys

    from bench.synthetic import VisitFactory
    from coder.adapters.reference import load_tables
    from coder.domain.coding import code_visit

    startup = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); "
            "from coder.adapters.reference import load_tables; load_tables(); "
            "print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    tables = load_tables()
    batch = list(VisitFactory(seed=seed).visits(visits))
    started, cpu_started = time.perf_counter(), time.process_time()
    reviews = sum(code_visit(v, tables).needs_review for v in batch)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    workers = {name: round(peak_rss_mb(pid), 1) for name, pid in service_pids().items() if name.startswith("coder")}
    report(
        "rcm bench coder",
        {
            "visits": visits,
            "to_review": reviews,
            "pure_visits_per_second": round(visits / elapsed, 1),
            # the loop's CPU time: what one free core would do, readable on a shared, loaded machine
            "pure_cpu_visits_per_second": round(visits / cpu, 1) if cpu else None,
            "startup_seconds_tables_and_index": round(float(startup.stdout.strip()), 2),
            "coder_workers_peak_rss_mb": json.dumps(workers),
            **(_service_runs(batch) if service else {}),
        },
    )
