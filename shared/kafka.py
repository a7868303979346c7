"""The one Kafka helper: event encoding, an aiokafka producer and consumer for the CLI, bench
and replay, and topic creation. The faust services build on the same encoding (streaming.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from pydantic import BaseModel

from shared import kafka_auth
from shared.pipeline import topics as pipeline_topics
from shared.settings import get_settings
from shared.unit_of_work import Outgoing

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# Everything rcmflow writes is kept: the pipeline topics are the audit record, and a dead
# letter or a review request that silently expired would be a lost visit.
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


def encode(event: BaseModel) -> bytes:
    return event.model_dump_json().encode()


def decode(model: type[M], raw: bytes | None) -> M:
    """Raises pydantic.ValidationError (also for bytes that are not JSON)."""
    return model.model_validate_json(raw or b"")


def make_producer(**overrides: object) -> AIOKafkaProducer:
    settings = get_settings()
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        **kafka_auth.client_options(),  # SASL/SCRAM over TLS as this process's principal
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def make_consumer(*topics: str, group_id: str | None = None, **overrides: object) -> AIOKafkaConsumer:
    """A consumer of its own (group_id None: no group, no commits): replay and audit never
    disturb the services' consumer groups."""
    settings = get_settings()
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        **kafka_auth.client_options(),
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


@contextlib.asynccontextmanager
async def consuming(*topics: str, **options: Any) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer (see make_consumer), stopped on exit."""
    consumer = make_consumer(*topics, **options)
    await consumer.start()
    # Let aiokafka's group-less bookkeeping task start: stopping it before its first step
    # re-raises its cancellation out of stop() (seen with aiokafka 0.14).
    await asyncio.sleep(0)
    try:
        yield consumer
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def admin_client() -> AsyncIterator[AIOKafkaAdminClient]:
    """The one Kafka admin client: topics, consumer-group offsets."""
    admin = AIOKafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap_servers, **kafka_auth.client_options())
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(topics: Iterable[str] | None = None) -> list[str]:
    """Create missing topics (the pipeline's by default; 12 partitions, kept forever). Returns
    the names it created."""
    settings = get_settings()
    wanted = list(pipeline_topics() if topics is None else topics)
    async with admin_client() as admin:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            new = [
                NewTopic(
                    name=t,
                    num_partitions=settings.topic_partitions,
                    replication_factor=settings.topic_replication_factor,
                    topic_configs=KEEP_FOREVER,
                )
                for t in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):  # another process won the race
                await admin.create_topics(new)
        return missing


async def delete_topics(topics: Iterable[str]) -> None:
    async with admin_client() as admin:
        await admin.delete_topics(list(topics))


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """All partitions of a topic. A consumer without a subscription knows no topic's metadata
    until asked; this waits for it (the same call aiokafka's producer makes before a send)."""
    partitions = await consumer._client._wait_on_metadata(topic)
    return [TopicPartition(topic, p) for p in sorted(partitions)]


class KafkaPublisher:
    """shared.unit_of_work.Publisher for commands and relays: an idempotent aiokafka producer;
    `publish` returns once the broker has acknowledged every event."""

    def __init__(self, **overrides: object) -> None:
        self._producer = make_producer(**overrides)

    async def __aenter__(self) -> KafkaPublisher:
        await self._producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._producer.stop()

    async def publish(self, outgoing: list[Outgoing]) -> None:
        pending = [await self._producer.send(o.topic, encode(o.event), key=o.event.key) for o in outgoing]
        await asyncio.gather(*pending)
