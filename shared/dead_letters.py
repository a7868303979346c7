"""Dead letters: an event a stage cannot handle goes, unchanged, to `<topic>.dlq` with why in its
headers; and the raw-bytes topics every stage reads and writes (the stage decodes them itself)."""

from __future__ import annotations

import logging

import faust

from shared import metrics
from shared.errors import describe, loggable
from shared.schemas import dlq_topic

log = logging.getLogger(__name__)


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """Values stay bytes so the stage itself decodes them and can dead-letter what it cannot read."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


async def dead_letter(app: faust.App, service: str, message: faust.types.Message, error: BaseException) -> None:
    topic = dlq_topic(message.topic)
    reason = describe(error)
    headers = {
        "rcm-error": reason.encode(),
        "rcm-error-type": type(error).__name__.encode(),
        "rcm-source-topic": message.topic.encode(),
        "rcm-source-partition": str(message.partition).encode(),
        "rcm-source-offset": str(message.offset).encode(),
        "rcm-service": service.encode(),
    }
    fut = await raw_topic(app, topic).send(key=message.key, value=message.value, headers=headers)
    await fut  # a dead letter must be safely written before the offset moves on
    metrics.dead_letters_total.labels(topic=message.topic).inc()
    metrics.events_total.labels(service=service, topic=message.topic, outcome="dead_letter").inc()
    # One line, no patient details: where the event was and what was wrong with its shape.
    where = f"{message.topic}[{message.partition}]@{message.offset}"
    log.warning("dead-lettered %s -> %s: %s", where, topic, loggable(error))
