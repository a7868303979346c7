"""Every generated 835 passes pyx12's validator, over a varied set of remittances."""

from collections import defaultdict
from datetime import UTC, date, datetime

from bench.synthetic import VisitFactory, synthetic_claims
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.claims import Knobs, answer
from payer_sim.domain.model import Accumulator, ClaimHistory, PriorAdjudication
from payer_sim.domain.remittance_advice import remittance_advice
from shared import ids, x12
from shared.schemas import Producer, RemittanceIssued

REF = load_reference()
PRODUCED = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)


def varied_remittances(count: int) -> list[RemittanceIssued]:
    producer = Producer(service="test")
    knobs = Knobs(random_denial_rate=0.25, seed=3)  # some denials of every kind the knob picks
    accumulators: dict[str, Accumulator] = defaultdict(Accumulator)
    out: list[RemittanceIssued] = []
    visits = VisitFactory(seed=5, as_of=date(2026, 11, 27)).visits(count)
    for claim in synthetic_claims(visits, today=date(2026, 11, 27)):
        member = claim.coverage.member_id
        history = ClaimHistory(PRODUCED.date(), None, None, frozenset())
        first = answer(claim, REF, accumulators[member], history, knobs=knobs, producer=producer,
                       adjudicated_on=PRODUCED.date())  # fmt: skip
        accumulators[member] = first.accumulator
        out += first.remittances
        if len(out) % 7 == 0 and first.standing:  # now and then the practice sends a replacement
            replacement = claim.model_copy(
                update={"frequency_code": "7", "event_id": ids.event_id("replace", claim.event_id)}
            )
            again = answer(
                replacement, REF, accumulators[member],
                ClaimHistory(PRODUCED.date(), None, PriorAdjudication(*_standing(first)), frozenset()),
                knobs=Knobs(), producer=producer, adjudicated_on=PRODUCED.date(),
            )  # fmt: skip
            accumulators[member] = again.accumulator
            out += again.remittances
    return out


def _standing(result):  # type: ignore[no-untyped-def]
    s = result.standing
    return s.remittance, s.deductible_cents, s.out_of_pocket_cents


def test_835_for_every_payer_batch_is_valid() -> None:
    remittances = varied_remittances(120)
    assert len(remittances) >= 50
    kinds = {r.claim_status_code for r in remittances}
    assert {"1", "4", "22"} <= kinds, kinds  # paid, denied and reversals are all in the set
    assert all(r.balances for r in remittances)
    by_payer: dict[str, list[RemittanceIssued]] = defaultdict(list)
    for r in remittances:
        by_payer[r.payer_id].append(r)
    assert len(by_payer) >= 3
    for number, (payer_id, batch) in enumerate(sorted(by_payer.items()), start=1):
        text = remittance_advice(REF.payers[payer_id], batch, number, PRODUCED)
        assert x12.validate(text) == [], payer_id
        assert text.count("CLP*") == len(batch)
        assert text.count("REF*6R*") == sum(len(r.service_lines) for r in batch)


def test_validator_catches_a_broken_835() -> None:
    remittances = varied_remittances(10)
    text = remittance_advice(REF.payers[remittances[0].payer_id], remittances[:1], 1, PRODUCED)
    broken = text.replace("N1*PR*", "N1*XX*", 1)
    assert x12.validate(broken) != []


def test_same_claims_same_order_same_remittances() -> None:
    def run() -> list[str]:
        # envelope timestamps (occurred_at) are the only thing allowed to differ between runs
        return [r.model_dump_json(exclude={"occurred_at"}) for r in varied_remittances(60)]

    assert run() == run()
