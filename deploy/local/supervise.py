"""Keeps one service process running: started again whenever it exits unasked, after a back-off
(1 s, doubling to 30 s; back to 1 s once it has run a minute). Run by deploy/local/services.sh,
one supervisor per service worker:

    supervise.py --name coder-0 --metrics-port 8007 -- rcm-coder

It writes the child's pid to .run/pids/svc-<name>.pid (what `kill -9` in a fault drill hits) and
its restart count to svc-<name>.restarts, hands the count to the child as RCM_RESTARTS, and
serves rcm_service_restarts_total / rcm_service_up on --metrics-port for Prometheus (alert
RcmServiceRestarting). SIGTERM stops the child (SIGTERM, then SIGKILL after 15 s) and itself."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from prometheus_client import Counter, Gauge, start_http_server

from shared import tls

FIRST_DELAY, MAX_DELAY, HEALTHY_AFTER = 1.0, 30.0, 60.0

restarts_total = Counter("rcm_service_restarts", "times the supervisor started the service again", ["service"])
service_up = Gauge("rcm_service_up", "1 while the supervised process runs", ["service"])
last_exit = Gauge("rcm_service_last_exit_code", "exit code of the last exit (negative: signal)", ["service"])


def say(name: str, text: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} supervise {name}: {text}", flush=True)


class Supervisor:
    def __init__(self, name: str, command: list[str], run_dir: Path, log: Path) -> None:
        self.name, self.command, self.log = name, command, log
        self.pid_file = run_dir / "pids" / f"svc-{name}.pid"
        self.count_file = run_dir / "pids" / f"svc-{name}.restarts"
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.restarts = 0

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()

    def spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "RCM_RESTARTS": str(self.restarts)}
        with self.log.open("ab") as out:  # restarts append: the crash stays readable above
            child = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT, env=env)
        self.pid_file.write_text(f"{child.pid}\n")
        return child

    def run(self) -> int:
        self.count_file.write_text("0\n")
        self.log.write_bytes(b"")  # a fresh start begins a fresh log
        delay = FIRST_DELAY
        while not self.stopping.is_set():
            started = time.monotonic()
            self.child = self.spawn()
            service_up.labels(self.name).set(1)
            code = self.child.wait()
            service_up.labels(self.name).set(0)
            last_exit.labels(self.name).set(code)
            if self.stopping.is_set():
                break
            if time.monotonic() - started > HEALTHY_AFTER:
                delay = FIRST_DELAY
            say(self.name, f"exited with {code}; starting it again in {delay:.0f} s")
            if self.stopping.wait(delay):
                break
            delay = min(delay * 2, MAX_DELAY)
            self.restarts += 1
            restarts_total.labels(self.name).inc()
            self.count_file.write_text(f"{self.restarts}\n")
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.pid_file.unlink(missing_ok=True)
        say(self.name, "stopped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--metrics-port", type=int, required=True)
    parser.add_argument("--run-dir", type=Path, default=Path(os.environ.get("RCM_RUN_DIR", ".run")))
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to supervise")
    supervisor = Supervisor(args.name, command, args.run_dir, args.run_dir / "logs" / f"{args.name}.log")
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    # over TLS with the supervisor's certificate (shared/tls.py), plain only with RCM_INSECURE_HTTP=1
    secure = (
        {}
        if tls.http_enabled_insecure()
        else {"certfile": str(tls.cert_file("supervisor")), "keyfile": str(tls.key_file("supervisor"))}
    )
    start_http_server(args.metrics_port, addr=os.environ.get("WEB_HOST", "127.0.0.1"), **secure)
    restarts_total.labels(args.name)  # a series at 0 from the start, so increase() sees the first restart
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
