"""While a dependency is away: our own retries say so once per outage (`Outage`), the client
libraries' repeated connection errors are held to a few lines (`OutageLogFilter`, installed by
every worker), and timers ride outages out instead of stopping the service (`guarded_timer`).

Quiet outages: while the broker or the database is away, the Kafka and Postgres clients log the
same connection error hundreds of times a second (a 10-minute broker outage wrote ~65,000 lines
per service, issue 14). The filter lets the first line of a run through, then one line per
back-off window (doubling, up to five minutes) saying how many like it were held back.

A run is one logger and one message template; it ends when that error has not been seen for
`quiet_after` seconds, and the next one starts a new run with its first line logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import faust

from shared.errors import loggable

log = logging.getLogger(__name__)

# The clients' loggers that repeat connection errors during an outage.
NOISY_LOGGERS = (
    "aiokafka",
    "aiokafka.client",
    "aiokafka.conn",
    "aiokafka.cluster",
    "aiokafka.consumer.consumer",
    "aiokafka.consumer.fetcher",
    "aiokafka.consumer.group_coordinator",
    "aiokafka.producer.producer",
    "aiokafka.producer.sender",
    "asyncpg.pool",
)


@dataclass
class _Run:
    window: float
    next_at: float
    last_seen: float
    held: int = 0


class OutageLogFilter(logging.Filter):
    def __init__(
        self,
        first_window: float = 5.0,
        max_window: float = 300.0,
        quiet_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.first_window, self.max_window, self.quiet_after = first_window, max_window, quiet_after
        self._clock = clock
        self._runs: dict[tuple[str, object], _Run] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        now = self._clock()
        key = (record.name, record.msg)
        run = self._runs.get(key)
        if run is None or now - run.last_seen > self.quiet_after:  # a new outage: say so once
            self._runs[key] = _Run(self.first_window, now + self.first_window, now)
            return True
        run.last_seen = now
        if now < run.next_at:
            run.held += 1
            return False
        if run.held:
            record.msg = f"{record.msg} [{run.held} more like this held back in the last {run.window:.0f} s]"
        run.window = min(run.window * 2, self.max_window)
        run.next_at, run.held = now + run.window, 0
        return True


def quiet_outage_logs(loggers: tuple[str, ...] = NOISY_LOGGERS) -> OutageLogFilter:
    """Install one filter on the clients' loggers (filters do not inherit, so on each one)."""
    shared_filter = OutageLogFilter()
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OutageLogFilter) for f in logger.filters):
            logger.addFilter(shared_filter)
    return shared_filter


class Outage:
    """Quiet logging of a dependency that is away: one line when the outage begins, one with its
    length when it is over, nothing per failed attempt in between (a long broker or database
    outage must not flood the log)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.since: float | None = None
        self.attempts = 0

    def failed(self, exc: BaseException) -> None:
        self.attempts += 1
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s: %s; retrying quietly until it succeeds", self.what, loggable(exc))

    def over(self) -> None:
        if self.since is not None:
            log.warning("%s: recovered after %.1fs (%d failed attempts)", self.what,
                        time.monotonic() - self.since, self.attempts)  # fmt: skip
            self.since, self.attempts = None, 0


def guarded_timer(app: faust.App, every: float, fn: Callable[[], Awaitable[None]]) -> None:
    """`app.timer(every)` for `fn`, which no error ever takes down with the whole service (faust
    stops the worker when a timer raises): an outage of Postgres or Kafka is logged once when it
    begins and once when it is over; any other error is logged the same way, without its text."""
    outage = Outage(f"timer {fn.__name__}")

    async def guarded() -> None:
        try:
            await fn()
        except Exception as exc:  # transient or not: a failed tick waits for the next one
            log.debug("traceback", exc_info=True)
            outage.failed(exc)
        else:
            outage.over()

    app.timer(every, name=fn.__qualname__)(guarded)
