"""What each service process spends during a benchmark, sampled from outside with psutil: CPU
seconds (with its child processes, such as the biller's pyx12 workers) and resident memory over
time, for the soak figures and their plot. CPU per visit is the figure a shared machine disturbs
least: other engineers' load stretches the wall clock, not the work."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def _family(pid: int) -> list[psutil.Process]:
    try:
        proc = psutil.Process(pid)
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _measure(pid: int) -> tuple[float, float]:
    """(CPU seconds, resident MB) of a service process and its children."""
    cpu = rss = 0.0
    for proc in _family(pid):
        try:
            times, memory = proc.cpu_times(), proc.memory_info()
        except psutil.NoSuchProcess:
            continue
        cpu += times.user + times.system
        rss += memory.rss / 2**20
    return cpu, rss


@dataclass
class Monitor:
    """Samples every `every` seconds in a thread, from start() to stop()."""

    pids: dict[str, int]
    every: float = 5.0
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)  # (seconds, MB per service)
    _cpu_start: dict[str, float] = field(default_factory=dict)
    _cpu_end: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._cpu_start = {name: _measure(pid)[0] for name, pid in self.pids.items()}
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            now = time.monotonic() - self._started
            self.samples.append((now, {name: _measure(pid)[1] for name, pid in self.pids.items()}))
            if self._stop.wait(self.every):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._cpu_end = {name: _measure(pid)[0] for name, pid in self.pids.items()}

    def cpu_seconds(self) -> dict[str, float]:
        return {name: self._cpu_end[name] - self._cpu_start[name] for name in self._cpu_end}

    def rss_summary(self) -> dict[str, dict[str, float]]:
        """Per service: resident MB at the first and last sample, the highest, and the change
        from the first to the last as a share of the first (flat: within ±10 %)."""
        out = {}
        for name in self.pids:
            series = [mb[name] for _, mb in self.samples if name in mb]
            if series:
                first, last = series[0], series[-1]
                out[name] = {"first": round(first, 1), "last": round(last, 1), "max": round(max(series), 1),
                             "change": round((last - first) / first, 3) if first else 0.0}  # fmt: skip
        return out

    def plot(self, path: Path, title: str) -> None:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9, 4.5))
        for name in self.pids:
            points = [(t / 60, mb[name]) for t, mb in self.samples if name in mb]
            ax.plot([t for t, _ in points], [mb for _, mb in points], label=name)
        ax.axhline(300, color="grey", linestyle="--", linewidth=1, label="target 300 MB")
        ax.set(xlabel="minutes", ylabel="resident MB (with child processes)", title=title)
        ax.legend(loc="upper left", fontsize="small")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
