"""The biller's pyx12 pool workers leave when the service is killed with SIGKILL (as the fault
harness does), instead of waiting on their queue for ever."""

import os
import signal
import subprocess
import sys
import time

import psutil

SERVICE = (
    "import time\nfrom biller.adapters import x12_check\nx12_check.start()\nprint('up', flush=True)\ntime.sleep(300)"
)


def test_pool_workers_leave_with_a_killed_service() -> None:
    service = subprocess.Popen([sys.executable, "-c", SERVICE], stdout=subprocess.PIPE, text=True)
    try:
        assert service.stdout is not None and service.stdout.readline().strip() == "up"
        workers = psutil.Process(service.pid).children(recursive=True)
        assert workers, "the pool started no process"
    finally:
        os.kill(service.pid, signal.SIGKILL)
        service.wait()
    deadline = time.monotonic() + 60  # a generous bound on a busy machine, not a figure
    while time.monotonic() < deadline and any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
        time.sleep(0.2)
    alive = [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    for pid in alive:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive, "pool workers outlived the killed service"
