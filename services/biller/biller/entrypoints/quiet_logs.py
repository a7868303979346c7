"""Quiet outages: while Kafka or Postgres is away, their clients log the same failure many
times a second (a 16-minute broker outage wrote 66,000 lines to the biller's log). This lets
the first line of each kind through, then at most one a minute, saying how many it held back.

The biller's own copy until a shared one lands (it belongs beside shared.streaming)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

# The clients' loggers that repeat themselves during an outage.
NOISY_LOGGERS = (
    "aiokafka",
    "aiokafka.conn",
    "aiokafka.producer.sender",
    "aiokafka.consumer.fetcher",
    "aiokafka.consumer.group_coordinator",
    "asyncpg.pool",
)


class OncePerWindow(logging.Filter):
    """Warnings and errors: one record per logger and message template per `window` seconds; the
    next one let through says how many were held back. Lower levels pass untouched."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self._clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}  # (logger, template) -> (last shown, held)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg))  # the template: the values (addresses, ids) vary
        now = self._clock()
        shown = self._seen.get(key)
        if shown is not None and now - shown[0] < self.window:
            self._seen[key] = (shown[0], shown[1] + 1)
            return False
        self._seen[key] = (now, 0)
        if shown is not None and shown[1]:
            record.msg = f"{record.msg} [{shown[1]} more like this held back in the last {self.window:.0f}s]"
        return True


def install(window: float = 60.0) -> OncePerWindow:
    """Put one filter on each noisy client logger (a logger's filters survive faust's handler setup)."""
    quiet = OncePerWindow(window)
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerWindow) for f in logger.filters):
            logger.addFilter(quiet)
    return quiet
