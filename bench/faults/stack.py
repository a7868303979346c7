"""The local stack as the fault harness sees it: processes found by their pid files, started and
stopped only through deploy/local/*.sh, so the harness survives the services being reorganised."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"


def run_dir() -> Path:
    return Path(os.environ.get("RCM_RUN_DIR", ROOT / ".run"))


def pid_file(name: str) -> Path:
    """`svc-coder-0`, `kafka`, `kafka-2`, `supervise-biller-0` ... as deploy/local writes them."""
    return run_dir() / "pids" / f"{name}.pid"


def pid_of(name: str) -> int | None:
    try:
        return int(pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None


def alive(pid: int) -> bool:
    """Running and not a zombie (kill -0 succeeds on an unreaped zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def kill9(name: str) -> int:
    """kill -9 the process behind a pid file; returns its pid."""
    pid = pid_of(name)
    if pid is None or not alive(pid):
        raise RuntimeError(f"{name} is not running")
    os.kill(pid, signal.SIGKILL)
    return pid


def wait_dead(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_restarted(name: str, old_pid: int, port: int, timeout: float = 120.0) -> None:
    """Until the supervisor has started `name` again (a new pid, running) and `port` takes
    connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = pid_of(name)
        if pid is not None and pid != old_pid and alive(pid):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        time.sleep(0.2)
    raise RuntimeError(f"{name} was not started again within {timeout:.0f} s")


def cluster_size() -> int:
    """3 when the stack was started with BROKERS=3 (node 2 has a data folder), else 1."""
    return 3 if (run_dir() / "kafka-2").is_dir() else 1


def script(name: str, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run deploy/local/<name>.sh with the harness's environment (ports, workers) and the
    stack's own cluster size."""
    env = {**os.environ, "BROKERS": str(cluster_size())}
    return subprocess.run(
        [str(LOCAL / f"{name}.sh"), *args], capture_output=True, text=True, check=check, timeout=timeout, env=env
    )


def services(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [str(LOCAL / "services.sh"), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "BROKERS": str(cluster_size()), **(env or {})},
    )


def service_names() -> list[str]:
    """Service workers that have a pid file: encounter, coder-0, biller-0, payer-sim-0 ..."""
    return sorted(p.stem.removeprefix("svc-") for p in (run_dir() / "pids").glob("svc-*.pid"))


def postgres_stop_immediate() -> None:
    script("infra", "stop-immediate", "postgres")


def postgres_start() -> None:
    script("infra", "start", "postgres")


def brokers() -> list[str]:
    """Pid-file names of the running Kafka nodes: kafka (node 1), kafka-2, kafka-3."""
    return [n for n in ("kafka", "kafka-2", "kafka-3") if (p := pid_of(n)) is not None and alive(p)]


def broker_start() -> None:
    """Start whichever Kafka nodes are not running (infra.sh skips the ones that are)."""
    script("infra", "start", "kafka")


def broker_stop(name: str) -> None:
    """A graceful stop of one node (SIGTERM, waits): the rolling restart's step."""
    pid = pid_of(name)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
