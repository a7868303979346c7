"""How every `rcm` command prints: one table writer, one money format.

On a terminal a table is drawn with rich; when the output is a file or a pipe it is written as
tab-separated text with every cell whole (an auditor's `rcm audit visit ID > file` keeps every
word). Every table command also takes `--json`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

console = Console()
err = Console(stderr=True)


def dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    right: Sequence[str] = (),
    sections: Sequence[int] = (),
) -> None:
    """A table for people on a terminal, whole tab-separated text otherwise. `sections`: row
    indexes before which a rule is drawn."""
    if not sys.stdout.isatty():
        out = sys.stdout
        out.write(f"# {title}\n")
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join("" if v is None else str(v).replace("\t", " ").replace("\n", " ") for v in row) + "\n")
        out.flush()
        return
    table = Table(title=title, show_header=True)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left", overflow="fold")
    for i, row in enumerate(rows):
        if i in sections:
            table.add_section()
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def report_files(written: Sequence[tuple[Path, list[str]]], out: Path, checked: bool, as_json: bool = False) -> None:
    """How every `rcm export` ends: each file written with its validator's errors (none when not
    checked), and exit status 1 when any file failed."""
    if as_json:
        print_json([{"file": str(path), "checked": checked, "errors": errors} for path, errors in written])
    else:
        for path, errors in written:
            console.print(f"{path}  {'[green]valid[/green]' if checked and not errors else ''}")
            for error in errors:
                console.print(f"  [red]{error}[/red]")
        console.print(f"{len(written)} file(s) written to {out}")
    if any(errors for _, errors in written):
        raise typer.Exit(1)


def subgroup(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """The sub-command group `name` of `app`, created on first use: several services add to one
    group (`rcm export 837` from the biller, `rcm export 835` from the payer-sim)."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def progress_bar() -> Progress:
    """Progress of a long command, on stderr so the output itself stays clean."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=err)
