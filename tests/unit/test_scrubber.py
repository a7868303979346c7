"""The scrubber, rule by rule: a clean claim passes; each mutation fails exactly its rule."""

from datetime import date, timedelta

import pytest

from biller.domain.model import PayerInfo
from biller.domain.scrubber import RULES, ScrubContext, scrub
from shared.schemas import ClaimSubmitted
from tests.unit.sample import make_claim

TODAY = date(2026, 11, 27)
PAYER = PayerInfo("BLUEPEAK", "BluePeak", "BPK01", "12", timely_filing_days=180)


def clean() -> ClaimSubmitted:
    return make_claim([("99214", 21_500), ("36415", 1_800)], diagnoses=["I10", "E11.9"])


def mutate(claim: ClaimSubmitted, path: str, value: object) -> ClaimSubmitted:
    """Set a nested attribute without validation, as a bad upstream or a bug might."""
    target: object = claim
    *parents, last = path.split(".")
    for name in parents:
        target = target[int(name)] if name.isdigit() else getattr(target, name)  # type: ignore[index]
    object.__setattr__(target, last, value)
    return claim


def test_a_clean_claim_passes_every_rule() -> None:
    assert scrub(clean(), ScrubContext(TODAY, PAYER)) == []


def test_rule_codes_are_unique_and_every_rule_has_a_message() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert all(r.message for r in RULES)


@pytest.mark.parametrize(
    ("code", "path", "value"),
    [
        ("S01", "billing_provider.npi", "1234567890"),
        ("S02", "rendering_provider.npi", "2234567890"),
        ("S03", "billing_provider.tax_id", "071234567"),
        ("S03", "billing_provider.tax_id", "12-345678"),
        ("S04", "billing_provider.address", None),
        ("S05", "patient.address", None),
        ("S06", "coverage.relationship", "child"),  # a dependant without a subscriber named
        ("S07", "coverage.member_id", "  "),
        ("S08", "service_date", TODAY + timedelta(days=3)),
        ("S09", "service_date", TODAY - timedelta(days=200)),
        ("S10", "diagnoses", [f"E11.{n}" for n in range(10)] + ["I10", "E78.5", "K21.9"]),
        ("S11", "diagnoses", ["I10", "I10"]),
        ("S12", "service_lines.1.diagnosis_pointers", [3]),
        ("S12", "service_lines.0.diagnosis_pointers", [1, 2, 1]),
        ("S13", "service_lines.0.modifiers", ["25", "59", "RT", "LT", "XS"]),
        ("S14", "total_charge_cents", 1),
        ("S15", "service_lines.1.charge_cents", 0),
    ],
)
def test_each_rule(code: str, path: str, value: object) -> None:
    claim = mutate(clean(), path, value)
    if code == "S15":  # keep CLM02 equal to the lines so only the zero line is wrong
        object.__setattr__(claim, "total_charge_cents", sum(ln.charge_cents for ln in claim.service_lines))
    assert [e.code for e in scrub(claim, ScrubContext(TODAY, PAYER))] == [code]


def test_unknown_payer_is_s16() -> None:
    assert [e.code for e in scrub(clean(), ScrubContext(TODAY, None))] == ["S16"]


def test_every_reason_is_reported() -> None:
    claim = mutate(mutate(clean(), "billing_provider.npi", "1234567890"), "diagnoses", ["I10", "I10"])
    assert [e.code for e in scrub(claim, ScrubContext(TODAY, PAYER))] == ["S01", "S11"]
