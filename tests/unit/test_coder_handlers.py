"""The coder's use cases against a fake unit of work: in-memory encounters, collected events."""

from __future__ import annotations

from datetime import UTC, datetime

from coder.adapters.reference import load_tables
from coder.adapters.repository import Coding, Outcome
from coder.domain.review import ReviewDecision
from coder.service_layer import handlers
from shared import ids
from shared.schemas import (
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    CodedEncounter,
    CodingReviewRequested,
    Producer,
    VisitReceived,
)
from shared.unit_of_work import EventCollector
from tests.unit.sample import make_visit

TABLES = load_tables()
VERSION = TABLES.coder_version
RECEIVED_AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


class FakeEncounters:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[Coding, str, str | None]] = {}  # visit id -> result, outcome, reviewer

    async def record(self, results: list[Outcome]) -> None:
        for result, outcome, _ in results:
            self.rows.setdefault(result.visit_id, (result, outcome, None))

    async def take_review(self, visit_id: str) -> CodingReviewRequested | None:
        row = self.rows.get(visit_id)
        return row[0] if row and row[1] == "review" and isinstance(row[0], CodingReviewRequested) else None

    async def resolve_review(self, coded: CodedEncounter, reviewer: str) -> None:
        self.rows[coded.visit_id] = (coded, "reviewed", reviewer)


class FakeUnitOfWork(EventCollector):
    def __init__(self) -> None:
        super().__init__()
        self.encounters = FakeEncounters()


def received(visit_id: str, **overrides: object) -> VisitReceived:
    visit = make_visit(visit_id=visit_id, **overrides)
    return VisitReceived.of(visit, RECEIVED_AT, Producer(service="test"))


CODABLE = received("V-H-1")
UNSURE = received("V-H-2", diagnoses=[{"code": "M54.5"}])  # a category: a person chooses the billable code
DECISION = ReviewDecision.model_validate(
    {
        "coder": "Test Coder",
        "diagnoses": ["M54.50"],
        "service_lines": [{"procedure_code": "99213", "diagnosis_pointers": [1]}],
    }
)


async def test_a_batch_is_recorded_and_each_visit_emitted_to_its_topic() -> None:
    uow = FakeUnitOfWork()
    outcomes = await handlers.code_visits([CODABLE, UNSURE], uow, TABLES, VERSION)
    assert outcomes == ["coded", "review"]
    assert [o.topic for o in uow.events] == [CODED_ENCOUNTERS, CODING_REVIEW]
    coded, review = (o.event for o in uow.events)
    assert isinstance(coded, CodedEncounter) and coded.coded_by == "engine" and coded.service_lines
    assert isinstance(review, CodingReviewRequested) and review.reasons
    assert {v: row[1] for v, row in uow.encounters.rows.items()} == {"V-H-1": "coded", "V-H-2": "review"}
    # the envelope follows the visit event it codes
    assert coded.received_at == CODABLE.received_at and coded.occurred_at == CODABLE.occurred_at
    assert coded.coder_version == VERSION and coded.key == CODABLE.key


async def test_a_redelivered_visit_gives_the_same_events_and_keeps_its_first_record() -> None:
    uow = FakeUnitOfWork()
    await handlers.code_visits([CODABLE, UNSURE], uow, TABLES, VERSION)
    first = [(o.topic, o.event.event_id) for o in uow.events]
    recorded = dict(uow.encounters.rows)
    uow.events = []
    await handlers.code_visits([CODABLE, UNSURE], uow, TABLES, "another-version")
    assert uow.encounters.rows == recorded
    again = [(o.topic, o.event.event_id) for o in uow.events]
    assert [t for t, _ in again] == [t for t, _ in first]
    assert again != first  # another coder version is another event ...
    uow.events = []
    await handlers.code_visits([CODABLE, UNSURE], uow, TABLES, VERSION)
    assert [(o.topic, o.event.event_id) for o in uow.events] == first  # ... the same one, the same event


async def test_a_persons_decision_closes_the_item_once_and_sends_the_encounter_on() -> None:
    uow = FakeUnitOfWork()
    await handlers.code_visits([UNSURE], uow, TABLES, VERSION)
    uow.events = []
    coded = await handlers.decide_review("V-H-2", DECISION, uow)
    assert coded is not None and coded.coded_by == "person"
    assert coded.event_id == ids.event_id("coded-by-person", "V-H-2")
    assert coded.coder_version == f"{VERSION}+person:Test Coder"
    assert [d.code for d in coded.diagnoses] == ["M54.50"]
    assert coded.received_at == UNSURE.received_at
    assert [(o.topic, o.event) for o in uow.events] == [(CODED_ENCOUNTERS, coded)]
    assert uow.encounters.rows["V-H-2"][1:] == ("reviewed", "Test Coder")
    uow.events = []
    assert await handlers.decide_review("V-H-2", DECISION, uow) is None  # decided already
    assert uow.events == []


async def test_no_open_item_no_decision() -> None:
    uow = FakeUnitOfWork()
    await handlers.code_visits([CODABLE], uow, TABLES, VERSION)
    uow.events = []
    assert await handlers.decide_review("V-H-1", DECISION, uow) is None  # coded by the engine: nothing to review
    assert await handlers.decide_review("V-UNKNOWN", DECISION, uow) is None
    assert uow.events == [] and uow.encounters.rows["V-H-1"][1] == "coded"
