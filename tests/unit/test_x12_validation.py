"""pyx12 in-process: reasons that name the place but never the value, no pyx12 log line in
ours, and the biller's last check (validate_837) routing a failing claim to rejected."""

import logging
from datetime import UTC, date, datetime

import pytest

from bench.synthetic import VisitFactory, synthetic_coded_encounters
from biller.adapters.reference import load_charge_master, load_payers, load_submitter
from biller.domain import claims as biller_claims
from biller.domain.claim_validation import validate_837, validate_837_each
from biller.domain.x12_837 import claim_interchange
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.remittance_advice import remittance_advice
from shared import x12
from shared.schemas import CodedEncounter, Producer
from tests.unit.sample import make_claim
from tests.unit.test_remittance_advice import varied_remittances

CREATED = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
TODAY = date(2026, 11, 27)


def _837(**patient: str) -> str:
    claim = make_claim([("99213", 15000), ("36415", 2500)])
    if patient:
        claim = claim.model_copy(update={"patient": claim.patient.model_copy(update=patient)})
    return claim_interchange([claim], load_payers()[claim.payer_id], load_submitter(), 7, CREATED)


def test_a_claim_for_jose_nunez_is_valid_and_reads_as_ascii() -> None:
    text = _837(first_name="José", last_name="Ñúñez-Straße")
    assert validate_837(text) == []
    assert "*NUNEZ-STRASSE*JOSE*" in text
    assert text.isascii()


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_reasons_name_element_and_line_but_not_the_value() -> None:
    text = _837(last_name="Qwertyuiop")
    broken = text.replace("QWERTYUIOP", "QWERTYUIOP" * 7, 1).replace("N4*SPRINGFIELD*IL", "N4*SPRINGFIELD*I", 1)
    root, kept = logging.getLogger(), _Keep()  # what our own log configuration would see
    root.addHandler(kept)
    try:
        reasons = x12.validate(broken)
    finally:
        root.removeHandler(kept)
    assert any("NM103" in r and "too long" in r for r in reasons), reasons
    assert any("N402" in r and "too short" in r for r in reasons), reasons
    assert all("QWERTYUIOP" not in r and "SPRINGFIELD" not in r for r in reasons)
    assert not [r for r in kept.records if r.name.startswith("pyx12")]  # its log lines quote values


def test_an_unreadable_interchange_is_a_reason_not_an_exception() -> None:
    assert x12.validate("not x12 at all") != []
    assert validate_837("") != []


def test_validate_837_accepts_only_an_837p() -> None:
    assert validate_837(_837()) == []
    remittances = varied_remittances(10)
    reference = load_reference()
    an_835 = remittance_advice(reference.payers[remittances[0].payer_id], remittances[:1], 1, CREATED)
    assert x12.validate(an_835) == []
    assert validate_837(an_835) == ["X12 not an 837P 005010X222A1 interchange (GS08)"]


def _coded(**patient: str) -> CodedEncounter:
    [coded] = synthetic_coded_encounters(list(VisitFactory(seed=8, as_of=TODAY).visits(3))[:1], CREATED)
    data = coded.model_dump()
    data["visit"]["patient"].update(patient)
    return CodedEncounter.model_validate(data)


def _decide(coded: CodedEncounter) -> biller_claims.BillingDecision:
    return biller_claims.decide(coded, load_charge_master(), load_payers(), Producer(service="t"), load_submitter(),
                                TODAY)  # fmt: skip


def test_decide_sends_a_valid_claim() -> None:
    decision = _decide(_coded(first_name="Zoë"))
    assert decision.claims and not decision.rejected
    assert all(validate_837(c.x12_837 or "") == [] for c in decision.claims)


def test_decide_rejects_a_claim_whose_name_is_only_delimiters_naming_the_element() -> None:
    coded = _coded(last_name="*~:^")
    if coded.visit.coverage is None:
        pytest.skip("synthetic visit without coverage")
    decision = _decide(coded)
    assert not decision.claims
    [(_, reasons)] = decision.rejected
    assert len(reasons) == 1 and reasons[0].startswith("X12 ") and "NM103 last name" in reasons[0]


def test_decide_rejects_a_claim_pyx12_finds_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        biller_claims, "validate_837", lambda text: ["X12 line 9 NM103 (Subscriber Last Name): too long"]
    )
    decision = _decide(_coded())
    assert not decision.claims
    assert [reasons for _, reasons in decision.rejected] == [["X12 line 9 NM103 (Subscriber Last Name): too long"]]


def test_validate_each_gives_each_interchange_the_verdict_it_gets_alone() -> None:
    good = _837(last_name="Ok")
    too_long = _837(last_name="Qwertyuiop").replace("QWERTYUIOP", "QWERTYUIOP" * 7, 1)
    texts = [good, too_long, good, "not x12 at all", good]
    verdicts = x12.validate_each(texts)
    assert verdicts == [x12.validate(t) for t in texts]
    assert verdicts[0] == verdicts[2] == verdicts[4] == [] and verdicts[1] and verdicts[3]
    assert any("NM103" in r and "too long" in r for r in verdicts[1])


def test_validate_837_each_checks_the_implementation_before_pyx12() -> None:
    texts = [_837(), "", _837()]
    assert validate_837_each(texts) == [validate_837(t) for t in texts] == [[], ["X12 the claim has no 837P"], []]


async def test_the_pool_gives_the_verdicts_the_service_process_would() -> None:
    from biller.adapters import x12_check

    good, bad = _837(), _837(last_name="Qwertyuiop").replace("QWERTYUIOP", "QWERTYUIOP" * 7, 1)
    texts = [good, bad] * 30
    assert await x12_check.check_837s(texts) == validate_837_each(texts)
    assert (await x12_check.check_837s([bad]))[0] != []
