"""The intake use cases against a fake unit of work: in-memory tables, collected events."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from encounter.domain.hl7_in import Hl7Message
from encounter.domain.visit_state import StateChange, advances, state_change
from encounter.service_layer.handlers import accept_visits, receive_hl7, record_visit_states
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


class FakeStates:
    def __init__(self) -> None:
        self.rows: dict[str, StateChange] = {}

    async def advance(self, changes: list[StateChange]) -> None:
        for change in changes:
            old = self.rows.get(change.visit_id)
            if old is None or advances(old.state, change.state):
                self.rows[change.visit_id] = change


class FakeStatesUnitOfWork(EventCollector):
    def __init__(self) -> None:
        super().__init__()
        self.states = FakeStates()


def envelope(visit_id: str, **more: object) -> bytes:
    return orjson.dumps({"visit_id": visit_id, "patient_id": "P-1", **more})


def test_state_changes_read_only_the_envelope() -> None:
    assert state_change("coded-encounters", envelope("V-1"), {}) == StateChange("V-1", "coded", "coded-encounters")
    assert state_change("remittances", envelope("V-1", claim_status_code="4"), {}).state == "denied"  # type: ignore[union-attr]
    assert state_change("remittances", envelope("V-1", claim_status_code="1"), {}).state == "paid"  # type: ignore[union-attr]
    assert state_change("remittances", envelope("V-1", claim_status_code="22"), {}) is None
    assert state_change("claims", b"not json", {}) is None
    failed = state_change(
        "claims.dlq",
        envelope("V-2"),
        {
            "rcm-error-type": b"UntranslatableCharacterError",
            "rcm-error": b"detail quoting Testa",
            "rcm-service": b"biller",
        },
    )
    assert failed is not None and failed.state == "failed"
    assert failed.reason == "dead-lettered by biller: UntranslatableCharacterError"  # the text itself is never kept


async def test_visit_states_only_advance_and_a_replay_clears_a_failure() -> None:
    uow = FakeStatesUnitOfWork()
    batch = [
        StateChange("V-1", "billed", "claims"),
        StateChange("V-1", "coded", "coded-encounters"),  # late: does not move the visit back
        StateChange("V-2", "failed", "visits.dlq", "dead-lettered by coder: ValidationError"),
    ]
    assert await record_visit_states(batch, uow) == 2
    assert uow.states.rows["V-1"].state == "billed" and uow.states.rows["V-2"].state == "failed"
    await record_visit_states([StateChange("V-2", "coded", "coded-encounters")], uow)
    assert uow.states.rows["V-2"].state == "coded"
    await record_visit_states(
        [StateChange("V-1", "denied", "remittances"), StateChange("V-1", "paid", "remittances")], uow
    )
    assert uow.states.rows["V-1"].state == "paid"
    assert uow.events == []
