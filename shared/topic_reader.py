"""Reading what the topics recorded, with aiokafka consumers without a group (the services'
groups are never disturbed): a time range of a topic, record by record. Used by the topic
commands (`rcm replay`, `rcm reprocess`, `rcm audit visit`) and by services' commands over
recorded events (`rcm recode`, `rcm rebuild`)."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from aiokafka import TopicPartition
from aiokafka.partitioner import murmur2
from rich.progress import Progress

from shared import kafka


def parse_time(text: str) -> datetime:
    """An ISO date or time (UTC unless it says otherwise), or an age such as 30m, 6h, 2d ago."""
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if match:
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)] * int(match.group(1))
        return datetime.now(UTC) - timedelta(seconds=seconds)
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def event(self) -> dict | None:
        try:
            parsed = orjson.loads(self.value or b"")
        except orjson.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def as_json(self) -> dict:
        event = self.event()
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp.isoformat(),
            "key": (self.key or b"").decode(errors="replace"),
            "headers": {k: v.decode(errors="replace") for k, v in self.headers},
            **({"event": event} if event is not None else {"raw_base64": base64.b64encode(self.value or b"").decode()}),
        }


def partition_of(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2 of the key): where a patient's events live."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


async def read_range(
    topic: str,
    start: datetime | None,
    end: datetime | None = None,
    only_partitions: set[int] | None = None,
    progress: Progress | None = None,
) -> AsyncIterator[Record]:
    """Every record of `topic` written from `start` (the beginning if None) up to `end` (or up
    to what is there now), partition by partition."""
    async with kafka.consuming() as consumer:
        partitions = [
            tp
            for tp in await kafka.partitions_of(consumer, topic)
            if only_partitions is None or tp.partition in only_partitions
        ]
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        if start is not None:
            found = await consumer.offsets_for_times({tp: int(start.timestamp() * 1000) for tp in partitions})
            starts = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in partitions}
        if end is not None:
            found = await consumer.offsets_for_times({tp: int(end.timestamp() * 1000) for tp in partitions})
            ends = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in partitions}
        todo = {tp: (starts[tp], ends[tp]) for tp in partitions if starts[tp] < ends[tp]}
        task = progress.add_task(topic, total=sum(b - a for a, b in todo.values())) if progress else None
        for tp, (first, stop) in sorted(todo.items(), key=lambda item: item[0].partition):
            consumer.assign([tp])
            consumer.seek(tp, first)
            position = first
            while position < stop:
                batch = await consumer.getmany(tp, timeout_ms=1000, max_records=2000)
                for record in batch.get(tp, []):
                    if record.offset >= stop:
                        position = stop
                        break
                    position = record.offset + 1
                    yield Record(
                        topic,
                        record.partition,
                        record.offset,
                        datetime.fromtimestamp(record.timestamp / 1000, UTC),
                        record.key,
                        record.value,
                        tuple(record.headers),
                    )
                if progress is not None and task is not None:
                    progress.update(task, advance=len(batch.get(tp, [])))


async def end_offsets(topic: str) -> dict[int, int]:
    """The current end offset of each partition of `topic`: where what happens next will start."""
    async with kafka.consuming() as consumer:
        ends = await consumer.end_offsets(await kafka.partitions_of(consumer, topic))
        return {tp.partition: offset for tp, offset in ends.items()}


async def read_after(topic: str, since: dict[int, int], idle_ms: int = 1000) -> list[Record]:
    """Every record written to `topic` after the offsets in `since` (from end_offsets), up to the
    end as it is now."""
    async with kafka.consuming() as consumer:
        partitions = [TopicPartition(topic, p) for p in since]
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, since[tp.partition])
        ends = await consumer.end_offsets(partitions)
        found: list[Record] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=idle_ms)).values():
                found += [
                    Record(topic, r.partition, r.offset, datetime.fromtimestamp(r.timestamp / 1000, UTC), r.key,
                           r.value, tuple(r.headers))
                    for r in records
                ]  # fmt: skip
        return found
