"""rcm bench e2e's per-service figures: CPU seconds counted with the service's child processes,
memory sampled over the run and plotted."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.monitor import Monitor

SPIN = "import sys\nn = 0\nfor i in range(3_000_000): n += i\nsys.stdin.read()"  # work, then wait to be ended


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def test_cpu_of_a_child_process_counts_for_its_service(tmp_path: Path) -> None:
    me = psutil.Process(os.getpid())
    monitor = Monitor({"this": os.getpid()}, every=0.05)
    monitor.start()
    own_before = _cpu(me)
    child = subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.PIPE)
    try:
        while child.poll() is None and _cpu(psutil.Process(child.pid)) < 0.2:
            time.sleep(0.05)  # until the child has spent some CPU (then it waits on stdin, alive)
        monitor.stop()
        own = _cpu(me) - own_before
    finally:
        child.communicate(b"")
    # the child spent at least 0.2 s (the loop above waited for it); counted with clock-tick rounding
    assert monitor.cpu_seconds()["this"] - own >= 0.15
    summary = monitor.rss_summary()["this"]
    assert summary["max"] >= summary["first"] > 10  # MB: a Python process
    monitor.plot(tmp_path / "rss.png", "test")
    assert (tmp_path / "rss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
