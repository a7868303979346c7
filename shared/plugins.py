"""How the services hook into the shared command line without shared/ importing them.

Each service declares, in pyproject.toml, entry points in these groups:

- `rcmflow.commands`   `register(app: typer.Typer) -> None`: adds its verbs to `rcm`
- `rcmflow.migrations` a `Path`: its migrations folder; the entry point's name is the Postgres
                       schema it owns
- `rcmflow.status`     `async (conn, scope) -> list[StatusRow]`: its lines of `rcm status`
- `rcmflow.visit_story` `async (conn, visit_id) -> dict`: what it holds about one visit, for
                       `rcm audit visit`
- `rcmflow.init`       `async (conn) -> None`: run by `rcm init` after the migrations (the demo sender)

`rcm` loads them in pipeline order (shared.pipeline), so output reads like the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from shared.pipeline import STAGES


@dataclass(frozen=True)
class StatusRow:
    key: str  # stable key of `rcm status --json`
    label: str  # what a person reads
    value: int
    kind: Literal["count", "cents"] = "count"
    # Visits this row counts as done for `rcm publish --wait` (review, self-pay, remitted ...).
    finished: bool = False


def _order(ep: EntryPoint) -> tuple[int, str]:
    names = [s.package for s in STAGES]
    return (names.index(ep.name) if ep.name in names else len(names), ep.name)


@cache
def hooks(group: str) -> list[tuple[str, Any]]:
    """(name, loaded object) of every entry point in `rcmflow.<group>`, in pipeline order."""
    found = sorted(entry_points(group=f"rcmflow.{group}"), key=_order)
    return [(ep.name, ep.load()) for ep in found]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefixed(prefix: str | None) -> list[str]:
    """Status scope: visits whose id starts with prefix (all visits when None), as SQL LIKE patterns."""
    return [_escape(prefix or "") + "%"]


def exactly(visit_ids: list[str]) -> list[str]:
    """Status scope: exactly these visits."""
    return [_escape(v) for v in visit_ids]
