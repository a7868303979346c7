"""pyx12 off the event loop: the batch's 837Ps are checked in a pool of worker processes (pyx12 is
pure Python, ~6 ms of CPU a claim), so the biller keeps posting remittances and reading its topics
meanwhile, and a second core can take the check. A batch is split across the workers."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache

from biller.domain.claim_validation import validate_837_each
from shared import x12

# Workers of the pool: X12_CHECK_WORKERS, default 1: with the biller's own process that is two
# cores' worth on this 2-core machine, and each worker is ~90 MB resident (pyx12's maps, the
# contracts), counted in the service's 300 MB. 0: no pool, pyx12 runs in the service's process.
WORKERS = int(os.environ.get("X12_CHECK_WORKERS", "1"))
MIN_CHUNK = 25  # smaller parts would spend more on moving text between processes than they save


def _warm() -> None:
    x12.validate("")  # imports pyx12 and installs its map cache and log silencing in the worker


def _exit_with(parent: int) -> None:
    """A pool worker outlives a service killed with SIGKILL (the fault harness does that): it
    would wait on its queue forever, 90 MB each restart. So it leaves when its parent is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _start_worker(parent: int) -> None:
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _warm()


@cache
def _pool() -> ProcessPoolExecutor:
    # spawn, not fork: the service process runs threads (aiokafka, asyncpg) a fork would copy mid-state
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))


def _chunks(texts: list[str]) -> list[list[str]]:
    size = max(MIN_CHUNK, -(-len(texts) // WORKERS))
    return [texts[i : i + size] for i in range(0, len(texts), size)]


async def check_837s(x12_texts: list[str]) -> list[list[str]]:
    """validate_837_each, in the pool."""
    if not x12_texts or WORKERS < 1:
        return validate_837_each(x12_texts)
    loop = asyncio.get_running_loop()
    try:
        parts = await asyncio.gather(
            *(loop.run_in_executor(_pool(), validate_837_each, chunk) for chunk in _chunks(x12_texts))
        )
    except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool for the next batch
        _pool.cache_clear()
        return validate_837_each(x12_texts)
    return [verdict for part in parts for verdict in part]


def start() -> None:
    """Start the workers now (at service start-up), not on the first batch."""
    if WORKERS < 1:
        return
    for future in [_pool().submit(_warm) for _ in range(WORKERS)]:
        future.result()
