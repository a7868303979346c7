"""Every generated 837P passes pyx12's validator, over a varied set of claims."""

from datetime import UTC, date, datetime

from bench.synthetic import VisitFactory, synthetic_claims
from biller.adapters.reference import load_payers, load_submitter
from biller.domain.x12_837 import claim_interchange
from shared import x12
from shared.schemas import ClaimSubmitted
from shared.schemas.visit import DiagnosisIn, Subscriber

CREATED = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
MANY_DIAGNOSES = ["I10", "E11.9", "E78.5", "K21.9", "J30.9", "E55.9", "F41.1", "E03.9", "M54.50", "R53.83",
                  "D64.9", "G47.00"]  # fmt: skip


def varied_claims(count: int) -> list[ClaimSubmitted]:
    visits = list(VisitFactory(seed=21, as_of=date(2026, 11, 27)).visits(count))
    for n, visit in enumerate(visits):
        if n % 5 == 0:  # twelve diagnoses, the most a claim carries
            visit.diagnoses = [DiagnosisIn(code=c) for c in MANY_DIAGNOSES]
        if n % 6 == 1 and visit.coverage and visit.coverage.relationship == "self":  # a spouse's coverage
            visit.coverage.relationship = "spouse"
            visit.coverage.subscriber = Subscriber(first_name="Casey", last_name=visit.patient.last_name,
                                                   birth_date=date(1970, 1, 2), sex="M")  # fmt: skip
        if n % 4 == 2:
            visit.prior_authorization = f"PA{n:05d}"
    claims = []
    for n, claim in enumerate(synthetic_claims(visits, today=date(2026, 11, 27))):
        if n % 3 == 0 and len(claim.service_lines) > 1:
            claim.service_lines[0].modifiers = ["25"]
            claim.service_lines[-1].modifiers = ["59", "RT"]
        if n % 9 == 4:  # a corrected claim
            claim = claim.model_copy(update={"frequency_code": "7", "payer_claim_control_number": f"PCCN{n}"})
        claims.append(claim)
    return claims


def test_837p_for_a_varied_set_of_claims_is_valid() -> None:
    claims = varied_claims(90)
    assert len(claims) >= 50
    assert any(len(c.diagnoses) == 12 for c in claims)
    assert {c.coverage.relationship for c in claims} >= {"self", "child", "spouse"}
    assert any(ln.modifiers for c in claims for ln in c.service_lines)
    assert any(len(c.service_lines) >= 3 for c in claims)
    assert any(c.frequency_code == "7" for c in claims)
    payers, submitter = load_payers(), load_submitter()
    # every claim in a payer's batch file (pyx12 loads its maps per call, so batches keep this quick) ...
    by_payer: dict[str, list[ClaimSubmitted]] = {}
    for claim in claims:
        by_payer.setdefault(claim.payer_id, []).append(claim)
    for n, (payer_id, batch) in enumerate(sorted(by_payer.items()), start=1000):  # and one file per payer batch
        text = claim_interchange(batch, payers[payer_id], submitter, n, CREATED)
        assert x12.validate(text) == [], payer_id
        assert text.count("CLM*") == len(batch)
    for n, claim in enumerate(claims[:12], start=1):  # ... and the one-claim interchanges the claim events carry
        text = claim_interchange([claim], payers[claim.payer_id], submitter, n, CREATED)
        assert x12.validate(text) == [], claim.claim_id


def test_dependant_claim_has_a_patient_loop_and_self_has_none() -> None:
    claims = varied_claims(90)
    payers, submitter = load_payers(), load_submitter()
    child = next(c for c in claims if c.coverage.relationship == "child")
    own = next(c for c in claims if c.coverage.relationship == "self")
    child_text = claim_interchange([child], payers[child.payer_id], submitter, 1, CREATED)
    own_text = claim_interchange([own], payers[own.payer_id], submitter, 2, CREATED)
    assert "PAT*19~" in child_text and "NM1*QC*1*" in child_text
    assert "NM1*QC" not in own_text and "SBR*P*18*" in own_text
    assert f"CLM*{own.patient_control_number}*" in own_text
    assert all(f"REF*6R*{ln.line_control_number}~" in own_text for ln in own.service_lines)


def test_more_than_fifty_lines_split_into_claims_with_their_own_numbers() -> None:
    from datetime import UTC, datetime

    from bench.synthetic import synthetic_coded_encounters
    from biller.adapters.reference import load_charge_master
    from biller.domain.claims import decide
    from shared.schemas import CodedEncounter, CodedServiceLine, Producer

    [coded] = synthetic_coded_encounters(list(VisitFactory(seed=40, as_of=date(2026, 11, 27)).visits(1))[:1],
                                         datetime(2026, 11, 27, tzinfo=UTC))  # fmt: skip
    lines = [CodedServiceLine(procedure_code="36415", units=1, diagnosis_pointers=[1], source="supplied")] * 120
    many = CodedEncounter.model_validate({**coded.model_dump(), "service_lines": [ln.model_dump() for ln in lines]})
    decision = decide(many, load_charge_master(), load_payers(), Producer(service="t"), load_submitter(),
                      date(2026, 11, 27))  # fmt: skip
    assert [len(c.service_lines) for c in decision.claims] == [50, 50, 20]
    assert len({c.patient_control_number for c in decision.claims}) == 3
    assert len({ln.line_control_number for c in decision.claims for ln in c.service_lines}) == 120
    assert all(c.total_charge_cents == sum(ln.charge_cents for ln in c.service_lines) for c in decision.claims)
    for claim in decision.claims:
        assert x12.validate(claim.x12_837 or "") == []


def test_a_batch_with_accented_names_and_delimiters_in_addresses_is_valid() -> None:
    """Issue 12: pyx12 could not read a batch holding "José"; a value of delimiters became an empty element."""
    claims = varied_claims(30)[:6]
    names = [("José", "Ñúñez"), ("Zoë", "Straße"), ("Ana María", "O'Brien*Smith"), ("Łukasz", "Dvořák"),
             ("Renée", "Nguyễn"), ("Siân", "Müller~Lüdenscheidt")]  # fmt: skip
    hostile = []
    for claim, (first, last) in zip(claims, names, strict=True):
        address = claim.patient.address.model_copy(update={"line1": "12 Rue de l'Église: Apt #4^B"})  # type: ignore[union-attr]
        patient = claim.patient.model_copy(update={"first_name": first, "last_name": last, "address": address})
        hostile.append(claim.model_copy(update={"patient": patient, "payer_id": claims[0].payer_id}))
    text = claim_interchange(hostile, load_payers()[claims[0].payer_id], load_submitter(), 77, CREATED)
    assert x12.validate(text) == []
    assert text.isascii()
    assert "JOSE" in text and "NUNEZ" in text and "STRASSE" in text and "NGUYEN" in text
    assert "12 RUE DE L'EGLISE APT 4 B" in text
