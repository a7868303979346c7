"""The biller's `rcm` verbs: the billing office's views (`rcm scrub-rules`, `rcm claims`,
`rcm denials`, `rcm statements`), `rcm export 837|fhir` and `rcm rebuild`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path
from typing import Any

import typer

from biller.adapters import queries
from biller.domain.scrubber import RULES
from biller.entrypoints import cli_acknowledgments, cli_claim_status, cli_eligibility, cli_exports, cli_rebuild
from shared import db
from shared.cli.output import console, dollars, print_json, print_table
from shared.security import session

KIND_WHY = {
    "deductible": "applied to your deductible",
    "coinsurance": "your coinsurance share",
    "copay": "your copay",
    "other": "not covered by your plan",
    "self_pay": "self-pay visit (no insurance on file), at the self-pay price",
}
OWED_KINDS = ("deductible", "coinsurance", "copay", "other", "self_pay")


async def _fetch(sql: str, *args: object) -> list[dict[str, Any]]:
    conn = await db.connect(db.reporting_url())  # read-only
    try:
        return await queries.rows(conn, sql, *args)
    finally:
        await conn.close()


def scrub_rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """The scrubber's rules: every claim must pass them all before it goes to a payer."""
    if as_json:
        print_json([{"code": r.code, "message": r.message} for r in RULES])
        return
    print_table("scrubber rules", ("code", "a claim is rejected when"), [(r.code, r.message) for r in RULES])


def claims(
    status: str | None = typer.Option(None, "--status", help="submitted, rejected, paid, partially_paid, denied, ..."),
    payer: str | None = typer.Option(None, "--payer"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Claims, newest first, with their status (and every scrubber reason for rejected ones)."""
    found = asyncio.run(_fetch(queries.CLAIMS_SQL, status, payer, limit))
    if as_json:
        print_json(found)
        return
    reasons: dict[str, str] = {}
    table = []
    for r in found:
        codes = []
        for error in r["scrub_errors"]:
            code, _, message = error.partition(" ")
            codes.append(code)
            reasons[code] = message
        table.append((
            r["claim_id"], r["payer_id"], r["status"], r["frequency_code"], str(r["service_date"]),
            dollars(r["total_charge_cents"]), dollars(r["paid_cents"]), dollars(r["patient_responsibility_cents"]),
            " ".join(codes),
        ))  # fmt: skip
    columns = ("claim", "payer", "status", "freq", "service date", "billed", "paid", "patient", "scrubber")
    print_table(f"claims{' — ' + status if status else ''} ({len(found)})", columns, table)
    for code, message in sorted(reasons.items()):
        typer.echo(f"  {code}: {message}")


def denials(
    carc: str | None = typer.Option(None, "--carc", help="list the denied lines of one CARC"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The denial work queue: open denials by CARC, with age and amount (largest first)."""
    if carc is None:
        found = asyncio.run(_fetch(queries.DENIALS_SQL))
        if as_json:
            print_json(found)
            return
        columns = ("group", "CARC", "claims", "lines", "amount", "oldest (days)", "average age (days)")
        print_table("open denials by CARC", columns, [
            (r["group_code"], r["carc"], r["claims"], r["lines"], dollars(r["amount_cents"]), r["oldest_days"],
             r["average_days"]) for r in found
        ])  # fmt: skip
        return
    found = asyncio.run(_fetch(queries.DENIED_CLAIMS_SQL, carc, limit))
    if as_json:
        print_json(found)
        return
    lines = ("claim", "payer", "service date", "age (days)", "line", "group", "RARC", "amount")
    print_table(f"open denials, CARC {carc}", lines, [
        (r["claim_id"], r["payer_id"], str(r["service_date"]), r["age_days"], r["line_control_number"] or "(claim)",
         r["group_code"], r["rarc"] or "", dollars(r["amount_cents"])) for r in found
    ])  # fmt: skip


def statement_text(patient_id: str, visits: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"Statement for patient {patient_id}", ""]
    total = 0
    for visit_id, items in visits.items():
        first = items[0]
        lines.append(f"Visit {visit_id} on {first['service_date']}")
        if first["claim_id"]:
            lines.append(f"  billed to {first['payer_id']}: {dollars(first['billed_cents'] or 0)}; "
                         f"insurance paid {dollars(first['insurance_paid_cents'] or 0)}; "
                         f"adjusted by agreement {dollars(first['adjusted_cents'] or 0)}")  # fmt: skip
        for item in items:
            lines.append(f"  you owe {dollars(item['amount_cents'])}: {KIND_WHY.get(item['kind'], item['kind'])}")
            total += item["amount_cents"]
        lines.append("")
    lines.append(f"Total due: {dollars(total)}")
    return "\n".join(lines) + "\n"


def statements(
    out: Path | None = typer.Option(None, "--out", help="write one statement file per patient into this folder"),
    patient: str | None = typer.Option(None, "--patient", help="only this patient id"),
    as_json: bool = typer.Option(False, "--json", help="each patient's balance by kind, in cents"),
) -> None:
    """Patient statements: by visit, what insurance paid and what the patient owes, and why (biller role)."""
    person = session.require("claims.read")
    found = asyncio.run(_fetch(queries.STATEMENT_SQL, patient))
    session.recorded(person, "biller", "rcm statements", [r["patient_id"] for r in found])
    by_patient: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in found:
        by_patient[r["patient_id"]][r["visit_id"]].append(r)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        for patient_id, visits in by_patient.items():
            (out / f"statement-{patient_id}.txt").write_text(statement_text(patient_id, visits))
        console.print(f"{len(by_patient)} statement(s) written to {out}")
        return
    balances = []
    for patient_id, visits in by_patient.items():
        kinds: dict[str, int] = dict.fromkeys(OWED_KINDS, 0)
        for items in visits.values():
            for item in items:
                kinds[item["kind"]] += int(item["amount_cents"])  # a sum: numeric in Postgres
        balances.append((patient_id, len(visits), kinds))
    if as_json:
        print_json([
            {"patient_id": p, "visits": n, **{f"{k}_cents": v for k, v in kinds.items()},
             "total_cents": sum(kinds.values())} for p, n, kinds in balances
        ])  # fmt: skip
        return
    columns = ("patient", "visits", "deductible", "coinsurance", "copay", "not covered", "self-pay", "total")
    print_table(f"patient balances ({len(by_patient)} patients)", columns, [
        (p, n, *(dollars(kinds[k]) for k in OWED_KINDS), dollars(sum(kinds.values()))) for p, n, kinds in balances
    ])  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("scrub-rules")(scrub_rules)
    app.command("claims")(claims)
    app.command("denials")(denials)
    app.command("statements")(statements)
    app.command("rebuild")(cli_rebuild.rebuild)
    cli_exports.register(app)
    cli_acknowledgments.register(app)
    cli_eligibility.register(app)
    cli_claim_status.register(app)
