"""How every faust service is built: the app factory, topics as raw bytes decoded by pydantic,
the stage loop (decode -> handle -> metrics), dead letters, and the worker entry point."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import faust
from aiokafka.errors import KafkaError
from faust.sensors.prometheus import setup_prometheus_sensors
from pydantic import ValidationError

from shared import faust_transport, faust_web, kafka_auth, metrics, tls
from shared.batch_pace import BatchPace
from shared.dead_letters import dead_letter, raw_topic
from shared.kafka import decode, encode
from shared.outages import Outage
from shared.schemas import Envelope
from shared.settings import get_settings
from shared.unit_of_work import Outgoing

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Envelope)

# Errors worth waiting out (the database or broker is briefly away): the event is retried,
# never skipped. Everything else is a problem with the event itself and goes to the DLQ.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,  # the server went down under a query in flight
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    KafkaError,
)


def make_app(
    service: str, web_port: int, *, group: str | None = None, web_options: dict[str, Any] | None = None
) -> faust.App:
    """`web_options` go to aiohttp's Application (client_max_size, middlewares, handler_args):
    they must be given here, since the sensors below create the web server."""
    settings = get_settings()
    shared = f"-{settings.worker}" if settings.web_shared_port else ""  # workers on one port: apart
    datadir = Path(settings.data_dir) / f"{service}-{web_port}{shared}"
    datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    # A worker killed without leaving its group holds its partitions until its session expires:
    # faust's 60 s default meant a minute of nothing after a kill -9. Measured (docs/reliability.md):
    # a 10 s session (heartbeats every 3 s: three chances) and static membership (a
    # group.instance.id per worker: a restarted worker takes its partitions back at once, no
    # rebalance) each bring it to ~10 s, both together lowest; a worker stopped for good is
    # noticed when its 10 s session expires (static members do not leave the group).
    session = float(os.environ.get("KAFKA_SESSION_TIMEOUT_SECONDS", "10"))
    static = os.environ.get("KAFKA_STATIC_MEMBERSHIP", "1") not in ("", "0", "false")
    scheme = faust_transport.register()
    app = faust.App(
        group or f"rcmflow-{service}",
        # every node of a cluster, so a worker can start while any one of them is down; through
        # the transport whose producer is idempotent (shared/faust_transport.py)
        broker=[f"{scheme}://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(",")],
        broker_credentials=kafka_auth.faust_credentials(service),  # SASL/SCRAM over TLS as the service
        processing_guarantee="at_least_once",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        web=f"{faust_web.register()}://",  # aiohttp, able to share a port (shared/faust_web.py)
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=web_port,
        web_ssl_context=tls.server_context(service),  # every web route, /metrics included (None: RCM_INSECURE_HTTP=1)
        datadir=str(datadir),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger=0.005,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        broker_session_timeout=session,
        broker_heartbeat_interval=min(3.0, session / 3),
        # the longest a member may take to rejoin during a rebalance: a batch in hand is given
        # 30 s to finish (run_stage), so longer than that
        broker_rebalance_timeout=40.0,
        consumer_group_instance_id=f"{group or service}-{settings.worker}" if static else None,
        stream_buffer_maxsize=4096,
        web_cors_options=None,
        web_application_options=web_options,
        # faust's own views (/router/, /table/, /graph/, statistics) would answer anyone, unchecked
        # and unlogged: off. Each service serves only its declared views, /metrics and /health.
        web_router_enabled=False,
        web_tables_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        web_metrics_enabled=False,
    )
    setup_prometheus_sensors(app, name_prefix=f"faust_{service}")
    return app


async def emit(topic: faust.TopicT, event: Envelope) -> None:
    """Publish an event keyed by patient id. The stage loop flushes the producer before the
    consumed offsets may be committed (faust itself does not), so an event is never acknowledged
    before what it caused is on the broker."""
    await topic.send(key=event.key, value=encode(event))


class FaustPublisher:
    """shared.unit_of_work.Publisher over a faust app's producer: what a service's use cases
    collected goes out keyed by patient id; the stage loop flushes before acknowledging."""

    def __init__(self, app: faust.App) -> None:
        self._app = app
        self._topics: dict[str, faust.TopicT] = {}

    def _topic(self, name: str) -> faust.TopicT:
        return self._topics.get(name) or self._topics.setdefault(name, raw_topic(self._app, name))

    async def publish(self, outgoing: list[Outgoing]) -> None:
        for item in outgoing:
            await emit(self._topic(item.topic), item.event)

    async def publish_acknowledged(self, outgoing: list[Outgoing], timeout: float, suffix: str = "") -> None:
        """Each event acknowledged by the broker within `timeout` s: what a person did over HTTP
        (not redelivered) is on its topics before the change commits."""

        async def send(item: Outgoing) -> None:
            await (await self._topic(item.topic + suffix).send(key=item.event.key, value=encode(item.event)))

        await asyncio.wait_for(asyncio.gather(*(send(o) for o in outgoing)), timeout=timeout)


BatchHandler = Callable[[list[E]], Awaitable[list[str]]]


async def run_stage(
    app: faust.App,
    service: str,
    stream: faust.StreamT,
    model: type[E],
    handle: BatchHandler[E],
    *,
    batch_size: int | None = None,
    within: float | None = None,
) -> None:
    """The loop every agent runs: take a batch, decode, handle, count, move on.

    `handle` gets the decoded events of a batch in order and returns an outcome label for each;
    it does the batch's database work in one transaction, so a batch costs one commit.
    Unreadable events go to `<topic>.dlq`; if a batch fails for a reason other than a transient
    outage, its events are handled one by one so only the bad one is dead-lettered. Transient
    outages are retried in place: nothing is skipped."""
    settings = get_settings()
    size = batch_size or settings.batch_size
    wait = within if within is not None else settings.batch_wait_seconds
    pace = BatchPace(size, settings.batch_seconds)
    # take_events is faust's batch-of-events API; its StreamT protocol does not declare it
    async for events in stream.take_events(size, within=wait):  # type: ignore[attr-defined]
        # faust acknowledges the taken events even when the agent is cancelled (at shutdown or
        # on a rebalance), so the batch in hand is finished first: never acked half-done.
        work = asyncio.ensure_future(_process_in_parts(app, service, stream, list(events), model, handle, pace))
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            await asyncio.wait([work], timeout=30)
            raise


async def _process_in_parts(
    app: faust.App,
    service: str,
    stream: faust.StreamT,
    events: list[faust.EventT],
    model: type[E],
    handle: BatchHandler[E],
    pace: BatchPace,
) -> None:
    """The batch in parts of about BATCH_SECONDS each (shared/batch_pace.py), each part's events
    acknowledged once its effects are on the broker: committed within a second (faust acks them
    again after the batch, which changes nothing)."""
    while events:
        part, events = events[: pace.size], events[pace.size :]
        started = time.perf_counter()
        await _process_batch(app, service, part, model, handle)
        pace.took(len(part), time.perf_counter() - started)
        for event in part:
            await stream.ack(event)


async def _process_batch(
    app: faust.App, service: str, events: list[faust.EventT], model: type[E], handle: BatchHandler[E]
) -> None:
    started = time.perf_counter()
    decoded: list[tuple[faust.types.Message, E]] = []
    for event in events:
        try:
            decoded.append((event.message, decode(model, event.value)))
        except ValidationError as exc:
            await dead_letter(app, service, event.message, exc)
    if not decoded:
        return
    try:
        outcomes = await _with_retry(service, decoded[0][0], handle, [d for _, d in decoded])
        # what the batch caused is on the broker before its events may be acknowledged: a worker
        # stopped mid-stream must not leave a recorded effect whose event never left the buffer
        await app.producer.flush()
        done = list(zip(decoded, outcomes, strict=True))
    except Exception:
        log.debug("traceback", exc_info=True)
        done = []
        for message, item in decoded:  # find the culprit: one event at a time
            try:
                [outcome] = await _with_retry(service, message, handle, [item])
                done.append(((message, item), outcome))
            except Exception as exc:
                # No traceback at warning level: exception texts may quote patient data.
                log.debug("traceback", exc_info=True)
                await dead_letter(app, service, message, exc)
        await app.producer.flush()
    per_event = (time.perf_counter() - started) / max(len(done), 1)
    for (message, _), outcome in done:
        metrics.events_total.labels(service=service, topic=message.topic, outcome=outcome).inc()
        metrics.stage_seconds.labels(service=service).observe(per_event)


async def _with_retry(service: str, first: faust.types.Message, handle: BatchHandler[E], items: list[E]) -> list[str]:
    outage = Outage(f"{service} at {first.topic}[{first.partition}]@{first.offset}")
    delay = 0.5
    while True:
        try:
            outcomes = await handle(items)
        except TRANSIENT_ERRORS as exc:
            outage.failed(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
        else:
            outage.over()
            return outcomes


def run_worker(app: faust.App) -> None:
    """Entry point of a service process: `faust worker` for this app, with the client libraries'
    repeated connection errors held to a few lines per outage (shared.outages)."""
    from shared.outages import quiet_outage_logs

    quiet_outage_logs()
    level = get_settings().log_level
    sys.argv = [sys.argv[0], "worker", "--loglevel", level]
    app.main()
