"""How many of a taken batch a stage handles in one transaction: as many as fit in about
BATCH_SECONDS at the pace the last ones went. A stage takes up to BATCH_SIZE (500) events at once;
handled in one transaction, a restarted worker facing a backlog on a loaded machine committed
nothing until all 500 were done (20-40 s at load average 35, docs/reliability.md) and looked
stuck. Handled in parts sized by time, each part's offsets are acknowledged when it is done, so
progress is committed within seconds; on a quiet machine the parts grow to the whole batch."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_PART = 20  # before anything is measured (a fresh worker: cold caches, a backlog)


@dataclass
class BatchPace:
    most: int  # BATCH_SIZE: never more in one part than in one batch
    seconds: float  # BATCH_SECONDS: what one part should take
    size: int = FIRST_PART

    def __post_init__(self) -> None:
        self.size = max(1, min(self.size, self.most))

    def took(self, events: int, seconds: float) -> None:
        """The next part sized from this one's pace (at most doubling, so one quick part does not
        jump to a batch that takes far longer)."""
        if events <= 0 or seconds <= 0:
            return
        fits = int(self.seconds * events / seconds)
        self.size = max(1, min(fits, 2 * self.size, self.most))
