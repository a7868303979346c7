"""The intake use cases against a fake unit of work: in-memory tables, collected events."""

from __future__ import annotations

from datetime import UTC, datetime

from encounter.domain.hl7_in import Hl7Message
from encounter.service_layer.handlers import accept_visits, receive_hl7
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.unit_of_work import EventCollector
from tests.unit.sample import visit_dict

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRODUCER = Producer(service="encounter")


class FakeVisits:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}  # visit_id -> (channel, content hash)

    async def claim_new(self, events: list[VisitReceived], hashes: list[str], channel: str) -> set[str]:
        new = {e.visit_id for e in events if e.visit_id not in self.rows}
        for event, digest in zip(events, hashes, strict=True):
            self.rows.setdefault(event.visit_id, (channel, digest))
        return new


class FakeHl7:
    def __init__(self) -> None:
        self.acks: dict[str, str] = {}

    async def ack_sent(self, control_id: str) -> str | None:
        return self.acks.get(control_id)

    async def record(self, control_id: str, message_type: str, visit_ids: list[str], ack: str) -> None:
        self.acks.setdefault(control_id, ack)


class FakeUnitOfWork(EventCollector):
    def __init__(self) -> None:
        super().__init__()
        self.visits = FakeVisits()
        self.hl7 = FakeHl7()


def visit(visit_id: str) -> Visit:
    return Visit.model_validate(visit_dict(visit_id=visit_id))


async def test_new_visits_are_recorded_and_emitted_once_each() -> None:
    uow = FakeUnitOfWork()
    result = await accept_visits([visit("V-1"), visit("V-2"), visit("V-1")], "json", uow, NOW, PRODUCER)
    assert result.accepted == ["V-1", "V-2"]
    assert result.duplicates == []  # a second copy in the same request is the same acceptance
    assert [(o.topic, o.event.visit_id) for o in uow.events] == [(VISITS, "V-1"), (VISITS, "V-2")]
    assert uow.visits.rows["V-1"][0] == "json"


async def test_a_visit_accepted_before_is_a_duplicate_and_emits_nothing() -> None:
    uow = FakeUnitOfWork()
    await accept_visits([visit("V-1")], "fhir", uow, NOW, PRODUCER)
    uow.events = []
    again = await accept_visits([visit("V-1"), visit("V-3")], "json", uow, NOW, PRODUCER)
    assert again.accepted == ["V-3"] and again.duplicates == ["V-1"]
    assert [o.event.visit_id for o in uow.events] == ["V-3"]
    assert uow.visits.rows["V-1"][0] == "fhir"  # the first channel stays recorded


async def test_the_event_id_is_the_visits_whatever_the_channel() -> None:
    first, second = FakeUnitOfWork(), FakeUnitOfWork()
    await accept_visits([visit("V-9")], "json", first, NOW, PRODUCER)
    await accept_visits([visit("V-9")], "hl7v2", second, NOW, PRODUCER)
    assert first.events[0].event.event_id == second.events[0].event.event_id


async def test_an_hl7_message_again_gets_the_same_ack_and_emits_nothing() -> None:
    uow = FakeUnitOfWork()
    message = Hl7Message("CTL-1", "ADT^A03", "EHR", "SPRINGFIELD", [visit("V-7")])
    assert await receive_hl7(message, "ACK-ONE", uow, NOW, PRODUCER) == "ACK-ONE"
    assert [o.event.visit_id for o in uow.events] == ["V-7"]
    uow.events = []
    assert await receive_hl7(message, "ACK-TWO", uow, NOW, PRODUCER) == "ACK-ONE"
    assert uow.events == []
