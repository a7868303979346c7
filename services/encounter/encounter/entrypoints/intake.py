"""What every intake channel shares: the body read with a size limit and a timeout, parsing off
the event loop (a bounded queue; small bodies in a thread, large ones in a separate process:
the JSON parser holds the GIL for the whole body, ~100 ms for 900 KB, which would stall /health
and MLLP), acceptance in a unit of work, and the HL7 answer that never fails. Errors are logged
by kind only: their texts can quote request values."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import asyncpg
from aiohttp import web

from encounter.bootstrap import PRODUCER, SERVICE, Bootstrap
from encounter.domain.hl7_in import Hl7Error, Hl7Message, ack, parse_message
from encounter.domain.intake import MAX_BODY_BYTES
from encounter.service_layer import handlers
from encounter.service_layer.handlers import Acceptance
from encounter.service_layer.unit_of_work import EncounterUnitOfWork
from shared import metrics
from shared.schemas import VISITS, Visit
from shared.schemas.common import utcnow
from shared.streaming import TRANSIENT_ERRORS
from shared.unit_of_work import run_in_unit_of_work

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_TIMEOUT = 30.0  # seconds to receive a whole body once its headers are in
PARSE_THREADS = 2  # for small bodies: a parse of a few KB holds the GIL for well under a millisecond
LARGE_BODY = 64 * 1024  # bytes from which a body is parsed in the parsing process
# The parsing process yields the CPU to the event loop's process: on a busy machine a large body's
# parse otherwise takes the time slices /health and MLLP need (docs/security.md, /health figures).
PARSING_NICENESS = 10
MAX_WAITING = 16  # requests parsing or queued to parse; beyond that intake answers 503 (busy)


STATUS = {"AA": 200, "AE": 422, "AR": 400}  # HTTP status of an HL7 answer, by acknowledgment code


class Refused(Exception):
    """A request answered before parsing: too large (413), too slow (408), busy or unavailable (503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def count(outcome: str, n: int = 1) -> None:
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome=outcome).inc(n)


class Intake:
    def __init__(self, boot: Bootstrap) -> None:
        self.boot = boot
        self._threads = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="intake-parse")
        self._process: ProcessPoolExecutor | None = None
        self._waiting = 0

    def _parsing_process(self) -> ProcessPoolExecutor:
        """One worker process, started on first use (spawned: no copy of this process's threads),
        at a lower priority than the event loop's."""
        if self._process is None:
            self._process = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=os.nice, initargs=(PARSING_NICENESS,)
            )
        return self._process

    async def warm_up(self) -> None:
        """Start the parsing process and import the parsers there, before the first large body."""
        from encounter.domain import fhir_in, hl7_in

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._parsing_process(), _import, [fhir_in.__name__, hl7_in.__name__])

    async def read_body(self, request: web.Request) -> bytes:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise Refused(413, f"body larger than {MAX_BODY_BYTES} bytes")
        try:
            return await asyncio.wait_for(request.read(), READ_TIMEOUT)
        except TimeoutError:
            raise Refused(408, f"body not received within {READ_TIMEOUT:.0f} s") from None
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, f"body larger than {MAX_BODY_BYTES} bytes") from None

    async def off_loop(self, parse: Callable[..., T], body: bytes | str, *args: Any) -> T:
        """Parse a body away from the event loop, so it keeps answering (/health, MLLP). `parse`
        is a module-level function (it may run in the parsing process)."""
        if self._waiting >= MAX_WAITING:
            raise Refused(503, "intake is busy; retry shortly")
        self._waiting += 1
        executor: Executor = self._parsing_process() if len(body) > LARGE_BODY else self._threads
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, parse, body, *args)
        except BrokenProcessPool:  # the parsing process died (out of memory?): start a fresh one next time
            log.warning("intake parsing process stopped; starting another")
            self._process = None
            raise Refused(503, "intake could not parse this request right now; retry shortly") from None
        finally:
            self._waiting -= 1

    async def accept(self, visits: list[Visit], channel: str) -> Acceptance:
        """Accept parsed visits once each; Refused(503) while Postgres is away (nothing recorded)."""

        async def use_case(uow: EncounterUnitOfWork) -> Acceptance:
            return await handlers.accept_visits(visits, channel, uow, utcnow(), PRODUCER)

        try:
            result = await run_in_unit_of_work(await self.boot.unit_of_work(), use_case, self.boot.relay)
        except (*TRANSIENT_ERRORS, asyncpg.PostgresError) as exc:
            log.warning("intake could not record a %s request: %s", channel, type(exc).__name__)
            raise Refused(503, "intake cannot record visits right now; retry shortly") from None
        count("accepted", len(result.accepted))
        count("duplicate", len(result.duplicates))
        return result

    async def receive_hl7(
        self,
        text: str,
        authorise: Callable[[Hl7Message], Awaitable[str | None]],
        recorded: Callable[[Hl7Message], Awaitable[None]] | None = None,
    ) -> tuple[str, int]:
        """One HL7 v2 message in; its ACK out, with the HTTP status that goes with it (AA 200, AE
        422, AR 400, not allowed 403, not recorded 503). Never raises: whatever goes wrong is
        answered with an AE or AR, so an MLLP link stays up. `authorise` says why the sender may
        not send this message (None: it may); `recorded` writes the access log once it is accepted."""
        try:
            message = await self.off_loop(parse_message, text, self.boot.facilities, self.boot.payers)
        except Hl7Error as exc:
            count("rejected")
            return ack(text, exc.ack_code, exc.control_id, str(exc), exc.errors), STATUS[exc.ack_code]
        except Refused as exc:
            return ack(text, "AE", "", exc.message, [exc.message]), exc.status
        except Exception as exc:  # a message no rule foresaw: refuse it, name only the kind of error
            log.warning("HL7 message could not be read: %s", type(exc).__name__)
            reason = f"message could not be read ({type(exc).__name__})"
            return ack(text, "AR", "", reason, [reason]), STATUS["AR"]
        try:
            refusal = await authorise(message)
        except Exception as exc:  # the identity store is away: nothing accepted, resend later
            log.warning("HL7 sender could not be checked: %s", type(exc).__name__)
            refusal = None
            reason = "sender cannot be checked right now; send the message again"
            return ack(text, "AE", message.control_id, reason, [reason]), 503
        if refusal is not None:
            count("refused")
            return ack(text, "AR", message.control_id, refusal, [refusal]), 403
        reply = ack(text, "AA", message.control_id)

        async def use_case(uow: EncounterUnitOfWork) -> str:
            return await handlers.receive_hl7(message, reply, uow, utcnow(), PRODUCER)

        try:
            answer = await run_in_unit_of_work(await self.boot.unit_of_work(), use_case, self.boot.relay)
        except Exception as exc:  # the database is away (or refused the message): nothing recorded, resend
            log.warning("HL7 message could not be recorded: %s", type(exc).__name__)
            reason = "not recorded (intake unavailable); send the message again"
            return ack(text, "AE", message.control_id, reason, [reason]), 503
        if recorded is not None:
            try:
                await recorded(message)
            except Exception as exc:
                log.error("access log could not record an HL7 intake: %s", type(exc).__name__)
        return answer, STATUS["AA"]


def _import(modules: list[str]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)
