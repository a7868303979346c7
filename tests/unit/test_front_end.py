"""The payer's front end: the 999 and 277CA it answers a claim submission with, valid under pyx12
(999 005010X231A1, 277CA 005010X214); rejected claims are not adjudicated; seeded rejections
are reproducible; the biller puts a rejected claim on the work queue with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from biller.service_layer.acknowledgments import post_acknowledgments
from payer_sim.adapters.reference import load_front_end_rejections
from payer_sim.domain.front_end import FrontEndKnobs, acknowledge, seeded_rejection
from shared import ids, x12
from shared.schemas import ClaimAcknowledged, Producer
from tests.unit.test_adjudication import REF
from tests.unit.test_payer_sim_handlers import FakeUnitOfWork, run, submission

NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
PRODUCER = Producer(service="test")
TABLE = load_front_end_rejections()


def answer(claim, knobs: FrontEndKnobs | None = None) -> ClaimAcknowledged:  # type: ignore[no-untyped-def]
    return acknowledge(claim, REF.payers.get(claim.payer_id), knobs or FrontEndKnobs(), PRODUCER, NOW)


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def test_a_clean_claim_is_accepted_by_the_999_and_the_277ca_with_the_number_its_835_will_carry() -> None:
    claim = submission([("99214", 21_500)], 1)
    ack = answer(claim)

    assert ack.functional_ack == "A" and ack.accepted and ack.reason == ""
    assert ack.claim_status is not None and ack.claim_status.composite == "A2:20"
    assert x12.validate(ack.x12_999) == []
    assert ack.x12_277ca is not None and x12.validate(ack.x12_277ca) == []
    [ak2] = [s for s in segments(ack.x12_999) if s[0] == "AK2"]
    st02 = next(s[2] for s in segments(claim.x12_837 or "") if s[0] == "ST")
    assert ak2[1:3] == ["837", st02]  # the 999 answers the claim's own transaction set
    [ref_1k] = [s for s in segments(ack.x12_277ca) if s[:2] == ["REF", "1K"]]
    [tracking] = [s for s in segments(ack.x12_277ca) if s[:2] == ["TRN", "2"]][-1:]
    assert tracking[2] == claim.patient_control_number
    remittance_id = ids.event_id("remittance", "answer", claim.event_id)
    assert ref_1k[2] == ids.payer_claim_control_number(claim.payer_id, remittance_id)


async def test_a_member_id_outside_the_payers_format_is_rejected_by_277ca_and_not_adjudicated() -> None:
    bad = submission([("99214", 21_500)], 1, member_id="ab-123")
    good = submission([("36415", 1_800)], 2)
    uow = FakeUnitOfWork()

    outcomes, remittances = await run([bad, good], uow)

    assert outcomes == ["rejected", "processed"]
    assert [r.claim_id for r in remittances] == [good.claim_id]
    ack = uow.acknowledgments.rows[bad.event_id]
    assert ack.functional_ack == "A" and not ack.accepted
    assert ack.claim_status is not None and ack.claim_status.composite == "A7:164:IL"
    assert ack.reason.startswith("277CA A7:164:IL") and "ab-123" not in ack.reason
    assert ack.x12_277ca is not None and x12.validate(ack.x12_277ca) == []
    [stc] = [s for s in segments(ack.x12_277ca) if s[0] == "STC"][-1:]
    assert stc[1] == "A7:164:IL" and stc[3] == "U"  # rejected: returned unprocessed


async def test_an_interchange_pyx12_cannot_accept_is_rejected_by_the_999_with_segment_and_no_277ca() -> None:
    claim = submission([("99214", 21_500)], 1)
    broken = claim.model_copy(update={"x12_837": (claim.x12_837 or "").replace("SV1*HC:", "SV1*XX:", 1)})
    uow = FakeUnitOfWork()

    outcomes, remittances = await run([broken], uow)

    assert outcomes == ["rejected"] and remittances == []
    ack = uow.acknowledgments.rows[broken.event_id]
    assert ack.functional_ack == "R" and ack.claim_status is None and ack.x12_277ca is None
    assert "SV1" in ack.reason and ack.reason.startswith("999 rejected")
    assert x12.validate(ack.x12_999) == []
    ik3 = [s for s in segments(ack.x12_999) if s[0] == "IK3"]
    assert ik3 and all(s[1] == "SV1" for s in ik3)
    assert next(s for s in segments(ack.x12_999) if s[0] == "IK5")[1] == "R"


async def test_a_redelivered_submission_gets_the_stored_acknowledgment_again() -> None:
    claim = submission([("99214", 21_500)], 1, member_id="ab-123")
    uow = FakeUnitOfWork()
    await run([claim], uow)
    first = uow.acknowledgments.rows[claim.event_id]
    uow.events = []
    await run([claim], uow)
    [again] = [e.event for e in uow.events]
    assert again == first


def test_seeded_rejections_are_reproducible_and_off_at_rate_zero() -> None:
    keys = [str(uuid.UUID(int=n)) for n in range(400)]
    assert all(seeded_rejection(FrontEndKnobs(0.0, 1, TABLE), k) is None for k in keys)
    some = FrontEndKnobs(0.25, 1, TABLE)
    drawn = [seeded_rejection(some, k) for k in keys]
    assert drawn == [seeded_rejection(some, k) for k in keys]
    assert 50 < sum(d is not None for d in drawn) < 150
    assert {d.level for d in drawn if d is not None} == {"999", "277CA"}
    other_seed = [seeded_rejection(FrontEndKnobs(0.25, 2, TABLE), k) for k in keys]
    assert other_seed != drawn


def test_every_seeded_rejection_writes_valid_files_naming_the_place() -> None:
    base = submission([("99214", 21_500)], 1)
    seen: set[str] = set()
    for n in range(300):
        claim = base.model_copy(update={"event_id": ids.event_id("seeded", n)})
        knobs = FrontEndKnobs(1.0, 7, TABLE)
        row = seeded_rejection(knobs, str(claim.event_id))
        assert row is not None
        ack = answer(claim, knobs)
        assert x12.validate(ack.x12_999) == [], row
        if ack.x12_277ca is not None:
            assert x12.validate(ack.x12_277ca) == [], row
        if row.level == "999":
            assert ack.functional_ack == row.ack
            [note] = ack.syntax_errors
            position = next(i for i, s in enumerate(segments(claim.x12_837 or "")[2:], 1)
                            if s[0] == row.segment_id and (not row.qualifier or s[1] == row.qualifier))  # fmt: skip
            assert note.segment_id == row.segment_id and note.segment_position == position
            assert ack.accepted == (row.ack == "E")
        else:
            assert ack.claim_status is not None and ack.claim_status.code == row.status_code and not ack.accepted
        seen.add(f"{row.level}{row.ack}")
    assert seen == {"999R", "999E", "277CA"}


class FakeBillerAcknowledgments:
    def __init__(self, standing: dict[str, uuid.UUID]) -> None:
        self.standing = standing  # claim id -> the submission that stands
        self.kept: dict[uuid.UUID, ClaimAcknowledged] = {}

    async def record(self, acks: list[ClaimAcknowledged]) -> list[tuple[ClaimAcknowledged, bool]]:
        out = []
        for a in acks:
            if a.claim_id not in self.standing:
                continue
            new = a.event_id not in self.kept
            self.kept.setdefault(a.event_id, a)
            out.append((a, new and not a.accepted and self.standing[a.claim_id] == a.claim_event_id))
        return out


class FakeBillerWork:
    def __init__(self, standing: dict[str, uuid.UUID]) -> None:
        self.acknowledgments = FakeBillerAcknowledgments(standing)


async def test_the_biller_queues_a_rejected_claim_once_and_leaves_an_accepted_one() -> None:
    rejected = answer(submission([("99214", 21_500)], 1, member_id="ab-123"))
    accepted = answer(submission([("36415", 1_800)], 2))
    stranger = answer(submission([("36415", 1_800)], 3))
    uow = FakeBillerWork({rejected.claim_id: rejected.claim_event_id, accepted.claim_id: accepted.claim_event_id})

    posted = await post_acknowledgments([rejected, accepted, stranger], uow)
    assert posted.outcomes == ["rejected", "accepted", "unknown"]
    assert posted.rejected == [rejected]
    again = await post_acknowledgments([rejected], uow)
    assert again.outcomes == ["not_standing"] and again.rejected == []


def test_with_the_syntax_read_off_the_999_notes_only_seeded_errors() -> None:
    claim = submission([("99214", 21_500)], 1)
    broken = claim.model_copy(update={"x12_837": (claim.x12_837 or "").replace("SV1*HC:", "SV1*XX:", 1)})
    assert answer(broken).functional_ack == "R"
    unread = answer(broken, FrontEndKnobs(syntax_check=False))
    assert unread.functional_ack == "A" and unread.accepted and x12.validate(unread.x12_999) == []
