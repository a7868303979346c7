"""`rcm codesets`: which dated code sets the coder has loaded, and importing a CMS NCCI quarter.

`rcm codesets`: registered by coder.entrypoints.cli.register."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from coder.adapters import ncci_import
from coder.adapters.reference import DATA_DIR, code_sets

app = typer.Typer(help="Code sets by date of service: list what is loaded; import CMS NCCI PTP and MUE files")
console = Console()


@app.callback(invoke_without_command=True)
def codesets(ctx: typer.Context) -> None:
    """Without a command: list the loaded code sets."""
    if ctx.invoked_subcommand is None:
        list_code_sets(DATA_DIR, None)


@app.command("list")
def list_code_sets(
    data_dir: Path = typer.Option(DATA_DIR, help="the coder's data folder"),
    on: datetime | None = typer.Option(None, formats=["%Y-%m-%d"], help="mark the release in force on this date"),
) -> None:
    """Each loaded release with its effective dates and source; the newest of each set last."""
    from coder.domain.codesets import in_force

    loaded = code_sets(data_dir)
    day = on.date() if on else date.today()
    table = Table()
    for column in ("code set", "version", "effective from", "effective to", f"on {day}"):
        table.add_column(column, no_wrap=True)
    table.add_column("source")
    for release in sorted(loaded, key=lambda s: (s.name, s.effective_from, s.version)):
        chosen, stale = in_force(loaded, release.name, day)
        mark = ("used, STALE: load a newer release" if stale else "in force") if chosen == release else ""
        table.add_row(release.name, release.version, str(release.effective_from), str(release.effective_to), mark,
                      release.source)  # fmt: skip
    console.print(table)


@app.command("import")
def import_code_set(
    kind: str = typer.Argument(..., help="ptp (NCCI practitioner PTP edits) or mue (practitioner MUEs)"),
    paths: list[Path] = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="the CMS file(s): .txt tab-delimited or .csv; a PTP quarter's parts together",
    ),
    version: str = typer.Option(..., help="the release, e.g. 2026Q4"),
    effective_from: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="first date of service it applies to"),
    effective_to: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="last date of service it applies to"),
    data_dir: Path = typer.Option(DATA_DIR, help="the coder's data folder to update"),
) -> None:
    """Replace the edit table with a CMS quarter (rows among the catalog's codes) and record the release.
    Restart the coder workers to read it."""
    if kind not in ("ptp", "mue"):
        raise typer.BadParameter("kind is ptp or mue")
    summary = ncci_import.import_file(kind, list(paths), data_dir, version, effective_from.date(), effective_to.date())
    console.print(f"{kind} {version}: {summary.read} rows read, {summary.kept} among the catalog's codes "
                  f"written to {summary.path}")  # fmt: skip
