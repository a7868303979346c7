"""What every benchmark reports with: the services' processes and memory, and one report format
(date and machine first; optionally appended as a JSON line)."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from shared.cli.output import print_table


def run_dir() -> Path:
    return Path(os.environ.get("RCM_RUN_DIR", Path(__file__).resolve().parents[1] / ".run"))


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
    rows = [(key, json.dumps(value) if isinstance(value, dict) else str(value)) for key, value in figures.items()]
    print_table(title, ("figure", "value"), rows, right=("value",))
    if out:
        with out.open("a") as fh:
            fh.write(json.dumps({"bench": title, **figures}) + "\n")
