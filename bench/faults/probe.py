"""Watches the pipeline move: per consumer group, its committed offsets and the end offsets of
the topics it reads, sampled twice a second; from those, the seconds from a fault to every
stalled stage moving again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from aiokafka import TopicPartition

from shared import kafka
from shared.pipeline import STAGES

log = logging.getLogger(__name__)

EVERY = 0.5
SETTLED = 2.0  # faust commits every second (make_app); the figures' resolution


def groups() -> dict[str, tuple[str, ...]]:
    """Consumer group -> topics it reads (faust's group id is rcmflow-<service>, streaming.make_app)."""
    return {f"rcmflow-{s.service}": s.consumes for s in STAGES if s.consumes}


@dataclass
class Sample:
    at: float  # time.monotonic()
    committed: dict[str, int]
    ends: dict[str, int]


@dataclass
class Probe:
    samples: list[Sample] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        wanted = groups()
        while not self._stop.is_set():
            try:
                sample = await asyncio.wait_for(_sample(wanted), timeout=3)
                self.samples.append(sample)
            except Exception as exc:  # the broker is away: no sample this time
                log.debug("no sample: %s", type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), EVERY)

    def stop(self) -> None:
        self._stop.set()

    def recovery_seconds(self, healed_at: float) -> float | None:
        """Seconds from `healed_at` (the kill, or the end of an outage) until every group that
        had work waiting committed past where it stood then. None: some group never moved."""
        after = [s for s in self.samples if s.at > healed_at]
        if not after:
            return None
        # a killed worker's last commit can land after the last sample before the kill: where a
        # group stood is the most it had committed up to SETTLED seconds after the fault
        settled = [s for s in self.samples if healed_at - SETTLED <= s.at <= healed_at + SETTLED] or after[:1]
        worst = 0.0
        for group in after[0].committed:
            start = max(s.committed[group] for s in settled)
            waiting = any(s.ends[group] > start for s in after)
            if not waiting:
                continue
            moved = next((s.at for s in after if s.committed[group] > start), None)
            if moved is None:
                return None
            worst = max(worst, moved - healed_at)
        return round(worst, 1)


async def _sample(wanted: dict[str, tuple[str, ...]]) -> Sample:
    at = time.monotonic()
    committed: dict[str, int] = {}
    ends: dict[str, int] = {}
    async with kafka.admin_client() as admin, kafka.consuming() as consumer:
        for group, topics in wanted.items():
            offsets = await admin.list_consumer_group_offsets(group)
            partitions: list[TopicPartition] = []
            for topic in topics:
                partitions += await kafka.partitions_of(consumer, topic)
            end = await consumer.end_offsets(partitions)
            committed[group] = sum(
                o.offset for tp, o in offsets.items() if tp in end and o is not None and o.offset >= 0
            )
            ends[group] = sum(end.values())
    return Sample(at, committed, ends)
