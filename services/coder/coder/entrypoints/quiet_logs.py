"""Quiet outages in the log (issue 14): while Kafka or Postgres is away the client libraries
log every retry (aiokafka thousands of lines a minute, asyncpg a traceback per reconnect). This
filter lets the first line of a repeating warning through, then one line per back-off window
(10 s, 20 s, 40 s ... up to 10 min) with the count of lines held back, and `summarise()` writes
one line with the length of the outage once the message has stopped.

Our own lines (shared.*, coder.*) are already one per outage (shared.streaming.Outage) and pass
untouched, as does everything below WARNING."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

OWN_LOGGERS = ("shared.", "coder.")
# Libraries whose retry loops attach a traceback that says nothing the first line does not.
NO_TRACEBACK = ("aiokafka", "asyncpg")


@dataclass
class Streak:
    started: float
    last: float
    window: float
    next_line_at: float
    held_back: int = 0
    total_held_back: int = 0


class QuietRepeats(logging.Filter):
    def __init__(
        self,
        first_window: float = 10.0,
        max_window: float = 600.0,
        over_after: float = 90.0,  # longer than the 60 s asyncpg waits between reconnects at most
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.first_window, self.max_window, self.over_after, self.clock = first_window, max_window, over_after, clock
        self.streaks: dict[tuple[str, str], Streak] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        # a filter on several handlers sees one record several times: decide once per record
        decided: bool | None = getattr(record, "rcm_quiet_keep", None)
        if decided is None:
            decided = self._decide(record)
            record.rcm_quiet_keep = decided
        return decided

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.name.startswith(OWN_LOGGERS):
            return True
        key = (record.name, str(record.msg))
        now = self.clock()
        streak = self.streaks.get(key)
        if record.name.startswith(NO_TRACEBACK):
            record.exc_info, record.exc_text = None, None
        if streak is None or now - streak.last > self.over_after:
            self.streaks[key] = Streak(now, now, self.first_window, now + self.first_window)
            return True
        streak.last = now
        if now < streak.next_line_at:
            streak.held_back += 1
            streak.total_held_back += 1
            return False
        if not isinstance(record.args, dict):
            record.msg = f"{record.msg} [repeating for %.0fs; %d like it not logged]"
            record.args = (*(record.args or ()), now - streak.started, streak.held_back)
        streak.held_back = 0
        streak.window = min(streak.window * 2, self.max_window)
        streak.next_line_at = now + streak.window
        return True

    def summarise(self) -> None:
        """One line for each repeating message that has stopped: the outage it spoke of is over."""
        now = self.clock()
        for key, streak in list(self.streaks.items()):
            if now - streak.last > self.over_after:
                del self.streaks[key]
                if streak.total_held_back:
                    log.warning("%s: %r stopped after %.1fs (%d lines like it not logged)", key[0],
                                key[1][:80], streak.last - streak.started, streak.total_held_back)  # fmt: skip


def install(quiet: QuietRepeats) -> None:
    """Put the filter on every handler of the root logger (faust sets them up when the worker
    starts; safe to call again)."""
    for handler in logging.getLogger().handlers:
        if quiet not in handler.filters:
            handler.addFilter(quiet)
