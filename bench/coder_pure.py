"""The pure coding function on one core: visits/s on the synthetic mix and the process's peak RSS.

    .venv/bin/python bench/coder_pure.py [visits] [seed]

A figure, not a test (timings depend on the machine); quote it with the machine and date."""

from __future__ import annotations

import resource
import sys
import time

from bench.synthetic import VisitFactory
from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit


def main(count: int, seed: int) -> None:
    started = time.perf_counter()
    tables = load_tables()
    loaded = time.perf_counter() - started
    visits = list(VisitFactory(seed=seed).visits(count))
    code_visit(visits[0], tables)  # warm the caches the way a running worker has them
    started, cpu = time.perf_counter(), time.process_time()
    reviews = sum(code_visit(v, tables).needs_review for v in visits)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # per CPU second as well: on a shared machine the wall clock counts other processes' time too
    print(f"visits={count} to_review={reviews} visits_per_second={count / elapsed:,.0f} "
          f"visits_per_cpu_second={count / cpu:,.0f} tables_and_index_s={loaded:.1f} "
          f"peak_rss_mb={peak_mb:.0f}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
