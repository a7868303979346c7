"""`rcm scrub-rules`, `rcm claims`, `rcm denials`, `rcm statements`: the billing office's views."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shared import db
from shared.cli import ledger

console = Console()
KIND_WHY = {
    "deductible": "applied to your deductible",
    "coinsurance": "your coinsurance share",
    "copay": "your copay",
    "other": "not covered by your plan",
    "self_pay": "self-pay visit (no insurance on file), at the self-pay price",
}


def dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


async def _fetch(sql: str, *args: object) -> list[dict]:
    conn = await db.connect()
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def scrub_rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """The scrubber's rules: every claim must pass them all before it goes to a payer."""
    from biller.domain.scrubber import RULES

    if as_json:
        typer.echo(json.dumps([{"code": r.code, "message": r.message} for r in RULES], indent=2))
        return
    table = Table(title="scrubber rules")
    table.add_column("code")
    table.add_column("a claim is rejected when")
    for rule in RULES:
        table.add_row(rule.code, rule.message)
    console.print(table)


def claims(
    status: str | None = typer.Option(None, "--status", help="submitted, rejected, paid, partially_paid, denied, ..."),
    payer: str | None = typer.Option(None, "--payer"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Claims, newest first, with their status (and every scrubber reason for rejected ones)."""
    rows = asyncio.run(_fetch(ledger.CLAIMS_SQL, status, payer, limit))
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"claims{' — ' + status if status else ''} ({len(rows)})")
    for column in ("claim", "payer", "status", "freq", "service date", "billed", "paid", "patient", "scrubber"):
        table.add_column(column, no_wrap=column == "claim")
    reasons: dict[str, str] = {}
    for r in rows:
        codes = []
        for error in r["scrub_errors"]:
            code, _, message = error.partition(" ")
            codes.append(code)
            reasons[code] = message
        table.add_row(
            r["claim_id"], r["payer_id"], r["status"], r["frequency_code"], str(r["service_date"]),
            dollars(r["total_charge_cents"]), dollars(r["paid_cents"]), dollars(r["patient_responsibility_cents"]),
            " ".join(codes),
        )  # fmt: skip
    console.print(table)
    for code, message in sorted(reasons.items()):
        console.print(f"  {code}: {message}")


def denials(
    carc: str | None = typer.Option(None, "--carc", help="list the denied lines of one CARC"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The denial work queue: open denials by CARC, with age and amount (largest first)."""
    if carc is None:
        rows = asyncio.run(_fetch(ledger.DENIALS_SQL))
        if as_json:
            typer.echo(json.dumps(rows, indent=2, default=str))
            return
        table = Table(title="open denials by CARC")
        for column in ("group", "CARC", "claims", "lines", "amount", "oldest (days)", "average age (days)"):
            table.add_column(column)
        for r in rows:
            table.add_row(r["group_code"], r["carc"], str(r["claims"]), str(r["lines"]), dollars(r["amount_cents"]),
                          str(r["oldest_days"]), str(r["average_days"]))  # fmt: skip
        console.print(table)
        return
    rows = asyncio.run(_fetch(ledger.DENIED_CLAIMS_SQL, carc, limit))
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"open denials, CARC {carc}")
    for column in ("claim", "payer", "service date", "age (days)", "line", "group", "RARC", "amount"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["claim_id"], r["payer_id"], str(r["service_date"]), str(r["age_days"]),
                      r["line_control_number"] or "(claim)", r["group_code"], r["rarc"] or "",
                      dollars(r["amount_cents"]))  # fmt: skip
    console.print(table)


def statement_text(patient_id: str, visits: dict[str, list[dict]]) -> str:
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
) -> None:
    """Patient statements: by visit, what insurance paid and what the patient owes, and why."""
    rows = asyncio.run(_fetch(ledger.STATEMENT_SQL, patient))
    by_patient: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_patient[r["patient_id"]][r["visit_id"]].append(r)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        for patient_id, visits in by_patient.items():
            (out / f"statement-{patient_id}.txt").write_text(statement_text(patient_id, visits))
        console.print(f"{len(by_patient)} statement(s) written to {out}")
        return
    table = Table(title=f"patient balances ({len(by_patient)} patients)")
    for column in ("patient", "visits", "deductible", "coinsurance", "copay", "not covered", "self-pay", "total"):
        table.add_column(column)
    for patient_id, visits in by_patient.items():
        kinds: dict[str, int] = defaultdict(int)
        for items in visits.values():
            for item in items:
                kinds[item["kind"]] += item["amount_cents"]
        owed = [dollars(kinds[k]) for k in ("deductible", "coinsurance", "copay", "other", "self_pay")]
        table.add_row(patient_id, str(len(visits)), *owed, dollars(sum(kinds.values())))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("scrub-rules")(scrub_rules)
    app.command("claims")(claims)
    app.command("denials")(denials)
    app.command("statements")(statements)
