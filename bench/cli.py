"""`rcm publish` and `rcm bench`: load for the pipeline, and throughput, latency and memory
figures you can rerun (docs/benchmarks.md).

`rcm bench e2e` pushes N synthetic visits straight onto `visits` (a burst), or R visits/s for S
seconds (`--rate R --duration S`, open loop: arrivals do not wait for the pipeline), waits until
every one is posted, and reports visits/s, end-to-end p50/p95/p99, each service's CPU per visit
and memory (`--plot FILE.png`: memory over time, the soak figure). In the same run it measures
the raw chain (bench/raw_chain.py) as the ceiling, and prints the ratio."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import typer

from bench import coder_golden, coding_report, stages
from bench.faults.cli import chaos
from bench.faults.stall import broker_stall
from bench.measure import peak_rss_mb, report, service_pids
from bench.monitor import Monitor
from bench.publish import already_finished, publish, publish_visits, wait_finished
from bench.raw_chain import raw_chain
from shared import db, kafka
from shared.cli.output import console
from shared.plugins import hooks, prefixed

app = typer.Typer(help="benchmarks (figures for docs/benchmarks.md)", no_args_is_help=True)
app.command("payer")(stages.payer)
app.command("biller")(stages.biller)
app.command("coder")(stages.coder)
app.command("coding")(coding_report.coding)
app.command("coder-golden")(coder_golden.coder_golden)
app.command("broker-stall")(broker_stall)


def register(root: typer.Typer) -> None:
    root.command("publish")(publish)
    root.command("chaos")(chaos)
    root.add_typer(app, name="bench")


@app.command("e2e")
def e2e(
    visits: int = typer.Option(2000, "--visits", "-n"),
    seed: int | None = typer.Option(None, "--seed"),
    rate: float = typer.Option(0, "--rate", help="open loop: visits per second (0: all at once)"),
    duration: float = typer.Option(0, "--duration", help="open loop: seconds of arrivals (visits = rate x duration)"),
    sample_every: float = typer.Option(5, "--sample-every", help="seconds between memory samples"),
    plot: Path | None = typer.Option(None, "--plot", help="write each service's memory over time (PNG)"),
    raw: bool = typer.Option(True, "--raw/--no-raw", help="also measure the raw aiokafka chain"),
    timeout: float = typer.Option(1800, "--timeout"),
    out: Path | None = typer.Option(None, "--out", help="append the figures as one JSON line"),
) -> None:
    """Visits/s from first publish to last remittance posted, latency, memory, and the ceiling."""
    from bench.synthetic import VisitFactory

    if rate and duration:
        visits = round(rate * duration)
    factory = VisitFactory(seed=seed)
    batch = list(factory.visits(visits))
    scope = prefixed(f"V-{factory.token}-")
    pids = service_pids()
    mode = f"open loop, {rate:g}/s for {duration:g} s" if rate else "burst"
    console.print(f"bench e2e: {visits} visits, {mode} (batch {factory.token}); services: {', '.join(pids) or 'none'}")
    if done := asyncio.run(already_finished(scope)):  # a rerun of a seed would time nothing
        console.print(f"[red]{done} visits of batch {factory.token} are already in the ledger: use another seed[/red]")
        raise typer.Exit(1)
    monitor = Monitor(pids, every=sample_every)
    monitor.start()
    started = time.perf_counter()
    asyncio.run(publish_visits(batch, rate or None))
    published = time.perf_counter()
    finished = asyncio.run(wait_finished(scope, visits, timeout))
    elapsed = time.perf_counter() - started
    monitor.stop()
    if not finished:
        raise typer.Exit(1)

    async def figures() -> tuple[dict[str, float], dict[str, int]]:
        conn = await db.connect()
        try:
            [(_, latency_of)] = hooks("latency")  # the service that posts remittances knows the latency
            rows = [row for _, status_of in hooks("status") for row in await status_of(conn, scope)]
            return await latency_of(conn, scope), {r.key: r.value for r in rows}
        finally:
            await conn.close()

    lat, status = asyncio.run(figures())
    memory = {name: round(peak_rss_mb(pid), 1) for name, pid in pids.items()}
    result: dict[str, object] = {
        "mode": mode,
        "visits": visits,
        "claims": status["claims"],
        "publish_seconds": round(published - started, 2),
        "elapsed_seconds": round(elapsed, 2),
        "visits_per_second": round(visits / elapsed, 1),
        "latency_p50_seconds": round(lat["p50"], 3),
        "latency_p95_seconds": round(lat["p95"], 3),
        "latency_p99_seconds": round(lat["p99"], 3),
        "peak_rss_mb": memory,
        "cpu_ms_per_visit": {name: round(s * 1000 / visits, 2) for name, s in monitor.cpu_seconds().items()},
        "rss_mb_over_run": monitor.rss_summary(),
    }
    if plot:
        monitor.plot(plot, f"rcm bench e2e: {visits} visits, {mode}")
        result["plot"] = str(plot)
    if raw:
        sizes = [(v.patient.id.encode(), kafka.encode(v)) for v in batch]
        ceiling = raw_chain(sizes)
        result["raw_chain_messages_per_second"] = round(ceiling, 1)
        result["ratio_to_raw_chain"] = round((visits / elapsed) / ceiling, 3)
    report("rcm bench e2e", result, out)
