"""`rcm bench`: throughput, latency and memory figures you can rerun (docs/benchmarks.md).

`rcm bench e2e` pushes N synthetic visits straight onto `visits`, waits until every one is
posted, and reports visits/s, end-to-end p50/p99 and each service's peak memory. In the same
run it measures a raw aiokafka chain over the same four hops on the same broker (consume ->
produce, no work) as the ceiling, and prints the ratio."""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import platform
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from rich.console import Console
from rich.table import Table

from shared import db, kafka
from shared.cli import ledger
from shared.settings import get_settings

app = typer.Typer(help="benchmarks (figures for docs/benchmarks.md)", no_args_is_help=True)
console = Console()
RAW_HOPS = 4


def run_dir() -> Path:
    return Path(os.environ.get("RCM_RUN_DIR", Path(__file__).resolve().parents[2] / ".run"))


def service_pids() -> dict[str, int]:
    pids = {}
    for path in sorted((run_dir() / "pids").glob("svc-*.pid")):
        pid = int(path.read_text().strip() or 0)
        if pid and Path(f"/proc/{pid}").exists():
            pids[path.stem.removeprefix("svc-")] = pid
    return pids


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size since it started."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def report(title: str, figures: dict[str, object], out: Path | None = None) -> None:
    """Print a benchmark's figures with the date and machine (and append them as JSON to `out`)."""

    figures = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores {platform.machine()}",
        **figures,
    }
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    console.print(table)
    if out:
        with out.open("a") as fh:
            fh.write(json.dumps({"bench": title, **figures}) + "\n")


# --- the ceiling: a raw aiokafka chain, no work -------------------------------------------------


async def _relay(source: str, target: str | None, n: int, ready: mp.Event, done: mp.Value) -> None:
    producer = kafka.make_producer() if target else None
    if producer:
        await producer.start()
    async with kafka.consuming(fetch_max_bytes=16 * 1024 * 1024) as consumer:
        consumer.assign(await kafka.partitions_of(consumer, source))
        await consumer.seek_to_beginning()
        ready.set()
        seen = 0
        while seen < n:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                for record in records:
                    if producer and target:
                        await producer.send(target, record.value, key=record.key)
                    seen += 1
        if producer:
            await producer.flush()
            await producer.stop()
        with done.get_lock():
            done.value = time.time()


def _relay_process(source: str, target: str | None, n: int, ready: mp.Event, done: mp.Value) -> None:
    asyncio.run(_relay(source, target, n, ready, done))


async def _topics(names: list[str], create: bool) -> None:
    settings = get_settings()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        if create:
            await admin.create_topics(
                [NewTopic(t, settings.topic_partitions, settings.topic_replication_factor) for t in names]
            )
        else:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def _produce_raw(topic: str, payloads: list[tuple[bytes, bytes]]) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        pending = [await producer.send(topic, value, key=key) for key, value in payloads]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def raw_chain(payloads: list[tuple[bytes, bytes]]) -> float:
    """Messages per second through RAW_HOPS consume->produce hops, each hop its own process."""
    tag = secrets.token_hex(3)
    names = [f"bench-raw-{tag}-{i}" for i in range(RAW_HOPS)]
    asyncio.run(_topics(names, create=True))
    ctx = mp.get_context("spawn")
    ready = [ctx.Event() for _ in names]
    done = [ctx.Value("d", 0.0) for _ in names]
    procs = [
        ctx.Process(
            target=_relay_process,
            args=(src, names[i + 1] if i + 1 < len(names) else None, len(payloads), ready[i], done[i]),
        )
        for i, src in enumerate(names)
    ]
    for p in procs:
        p.start()
    try:
        for event in ready:
            event.wait(60)
        started = time.time()
        asyncio.run(_produce_raw(names[0], payloads))
        for p in procs:
            p.join(600)
        return len(payloads) / (done[-1].value - started)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        asyncio.run(_topics(names, create=False))


# --- the pipeline -----------------------------------------------------------------------------


@app.command("e2e")
def e2e(
    visits: int = typer.Option(2000, "--visits", "-n"),
    seed: int | None = typer.Option(None, "--seed"),
    raw: bool = typer.Option(True, "--raw/--no-raw", help="also measure the raw aiokafka chain"),
    timeout: float = typer.Option(1800, "--timeout"),
    out: Path | None = typer.Option(None, "--out", help="append the figures as one JSON line"),
) -> None:
    """Visits/s from first publish to last remittance posted, latency, memory, and the ceiling."""
    from shared.cli.main import publish_visits, wait_finished
    from shared.synthetic import VisitFactory

    factory = VisitFactory(seed=seed)
    batch = list(factory.visits(visits))
    scope = ledger.prefixed(f"V-{factory.token}-")
    pids = service_pids()
    console.print(f"bench e2e: {visits} visits (batch {factory.token}); services: {', '.join(pids) or 'none found'}")
    started = time.perf_counter()
    asyncio.run(publish_visits(batch, None))
    published = time.perf_counter()
    if not asyncio.run(wait_finished(scope, visits, timeout)):
        raise typer.Exit(1)
    elapsed = time.perf_counter() - started

    async def figures() -> tuple[dict[str, float], dict[str, int]]:
        conn = await db.connect()
        try:
            return await ledger.latency(conn, scope), await ledger.status(conn, scope)
        finally:
            await conn.close()

    lat, status = asyncio.run(figures())
    memory = {name: round(peak_rss_mb(pid), 1) for name, pid in pids.items()}
    result: dict[str, object] = {
        "visits": visits,
        "claims": status["claims"],
        "publish_seconds": round(published - started, 2),
        "elapsed_seconds": round(elapsed, 2),
        "visits_per_second": round(visits / elapsed, 1),
        "latency_p50_seconds": round(lat["p50"], 3),
        "latency_p99_seconds": round(lat["p99"], 3),
        "peak_rss_mb": memory,
    }
    if raw:
        sizes = [(v.patient.id.encode(), kafka.encode(v)) for v in batch]
        ceiling = raw_chain(sizes)
        result["raw_chain_messages_per_second"] = round(ceiling, 1)
        result["ratio_to_raw_chain"] = round((visits / elapsed) / ceiling, 3)
    report("rcm bench e2e", result, out)


@app.command("payer")
def payer(
    claims: int = typer.Option(5000, "--claims", "-n"),
    batch: int = typer.Option(500, "--batch", help="claims per transaction, as the service takes them"),
    seed: int | None = typer.Option(None, "--seed"),
) -> None:
    """Adjudications per second with accumulators in Postgres (the payer's own work, no Kafka)."""

    import gc
    from functools import partial

    from payer_sim.adapters import MIGRATIONS_DIR
    from payer_sim.adapters.reference import load_reference
    from payer_sim.domain.claims import Knobs
    from payer_sim.service_layer.handlers import adjudicate_claims
    from payer_sim.service_layer.unit_of_work import PayerUnitOfWork
    from shared.synthetic import VisitFactory, synthetic_claims
    from shared.unit_of_work import Outgoing, run_in_unit_of_work

    reference = load_reference()
    today = datetime.now(UTC).date()
    batch_claims = synthetic_claims(VisitFactory(seed=seed).visits(claims))
    # The input claims and the tables stay alive for the whole run; the service freezes what is
    # alive at start-up too (payer_sim.entrypoints.app.warm_up): collections then scan only what
    # adjudicating allocates, not the benchmark's own input.
    gc.freeze()

    class Discard:  # the payer's own work only: remittances are not published
        async def publish(self, outgoing: list[Outgoing]) -> None:
            pass

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
                await run_in_unit_of_work(lambda: PayerUnitOfWork(pool), use_case, Discard())
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


@app.command("biller")
def biller(
    claims: int = typer.Option(5000, "--claims", "-n", help="coded encounters to bill"),
    batch: int = typer.Option(500, "--batch", help="encounters per transaction, as the service takes them"),
    seed: int | None = typer.Option(None, "--seed"),
) -> None:
    """Claims built, scrubbed, rendered to 837P and stored per second (the biller's own work, no Kafka)."""

    from biller.adapters import MIGRATIONS_DIR
    from biller.adapters.repository import record_decisions
    from biller.domain.claims import decide
    from biller.service_layer import PRODUCER, Reference
    from shared.synthetic import VisitFactory, synthetic_coded_encounters

    ref = Reference.load()
    now = datetime.now(UTC)
    encounters = synthetic_coded_encounters(VisitFactory(seed=seed).visits(claims), now)

    async def run() -> tuple[float, float, int]:
        url = db.sibling_url("_bench")  # a scratch database: a benchmark never touches the live ledger
        await db.recreate_database(url)
        database = db.Database("biller", MIGRATIONS_DIR, url)
        pool = await database.pool()
        built = 0
        domain_seconds = 0.0
        try:
            started = time.perf_counter()
            for start in range(0, len(encounters), batch):
                t = time.perf_counter()
                chunk = encounters[start : start + batch]
                decisions = [
                    decide(c, ref.charge_master, ref.payers, PRODUCER, ref.submitter, now.date()) for c in chunk
                ]
                domain_seconds += time.perf_counter() - t
                built += sum(len(d.claims) + len(d.rejected) for d in decisions)
                await record_decisions(pool, list(zip(chunk, decisions, strict=True)))
            return time.perf_counter() - started, domain_seconds, built
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


async def _count_until(topic: str, total: int, timeout: float) -> float:
    """Seconds until `topic` holds `total` events (read from the start, no group)."""
    started = time.perf_counter()
    async with kafka.consuming() as consumer:
        partitions = await kafka.partitions_of(consumer, topic)
        while time.perf_counter() - started < timeout:
            ends = await consumer.end_offsets(partitions)
            if sum(ends.values()) >= total:
                return time.perf_counter() - started
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{topic} did not reach {total} events")


def coder_service_run(visits: list, workers: int) -> dict[str, float]:
    """The coder service end to end on topics and a database of its own: `workers` processes
    in one group; the visits topic pre-filled before they start; time to the last coded event."""
    import subprocess
    import sys

    from shared.schemas import CODED_ENCOUNTERS, CODING_REVIEW, VISITS, Producer, VisitReceived
    from shared.schemas.common import utcnow

    suffix = f".bench-{secrets.token_hex(3)}"
    names = [VISITS + suffix, CODED_ENCOUNTERS + suffix, CODING_REVIEW + suffix]
    asyncio.run(_topics(names, create=True))
    url = db.sibling_url("_bench")
    asyncio.run(db.recreate_database(url))
    payloads = []
    for visit in visits:
        event = VisitReceived.of(visit, utcnow(), Producer(service="bench"))
        payloads.append((event.key, kafka.encode(event)))
    asyncio.run(_produce_raw(names[0], payloads))
    settings = get_settings()
    procs = []
    try:
        for n in range(workers):
            env = {**os.environ, "CODER_TOPIC_SUFFIX": suffix, "DATABASE_URL": url, "CODER_WORKER": str(n),
                   "CODER_PORT": str(settings.coder_port + 900),  # beside the running workers' ports
                   "RCM_DATA_DIR": str(run_dir() / "bench-faust")}  # fmt: skip
            procs.append(subprocess.Popen([sys.executable, "-m", "coder.app"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        elapsed = asyncio.run(_count_until(names[1], len(visits), timeout=900))
        rss = max(peak_rss_mb(p.pid) for p in procs)
        return {"seconds": round(elapsed, 2), "visits_per_second": round(len(visits) / elapsed, 1),
                "peak_rss_mb": round(rss, 1)}  # fmt: skip
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        asyncio.run(_topics(names, create=False))


@app.command("coder")
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

    from coder.adapters.reference import load_tables
    from coder.domain.coding import code_visit
    from shared.synthetic import VisitFactory

    startup = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); "
         "from coder.adapters.reference import load_tables; load_tables(); "
         "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    tables = load_tables()
    batch = list(VisitFactory(seed=seed).visits(visits))
    started = time.perf_counter()
    reviews = sum(code_visit(v, tables).needs_review for v in batch)
    elapsed = time.perf_counter() - started
    workers = {name: round(peak_rss_mb(pid), 1) for name, pid in service_pids().items() if name.startswith("coder")}
    report(
        "rcm bench coder",
        {
            "visits": visits,
            "to_review": reviews,
            "pure_visits_per_second": round(visits / elapsed, 1),
            "startup_seconds_tables_and_index": round(float(startup.stdout.strip()), 2),
            "coder_workers_peak_rss_mb": json.dumps(workers),
            **(
                {f"service_{n}_worker{'s' if n > 1 else ''}": coder_service_run(batch, n) for n in (1, 2)}
                if service
                else {}
            ),
        },
    )
