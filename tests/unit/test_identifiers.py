import pytest

from bench.synthetic import with_npi_check_digit
from shared import ids
from shared.schemas.common import npi_check_digit_ok


@pytest.mark.parametrize("npi", ["1234567893", "1245319599"])
def test_valid_npis_pass_the_check_digit(npi: str) -> None:
    assert npi_check_digit_ok(npi)


@pytest.mark.parametrize("npi", ["1234567890", "3234567893", "123456789", "12345678930", "12345678a3"])
def test_invalid_npis_fail(npi: str) -> None:
    assert not npi_check_digit_ok(npi)


def test_generated_check_digit_matches_the_known_example() -> None:
    assert with_npi_check_digit("123456789") == "1234567893"


def test_claim_numbers_are_deterministic_and_fit_clm01() -> None:
    pcn = ids.patient_control_number("V-1")
    assert pcn == ids.patient_control_number("V-1")
    assert pcn != ids.patient_control_number("V-1", split_index=1)
    assert pcn != ids.patient_control_number("V-2")
    assert len(pcn) == 20
    assert ids.line_control_number(pcn, 3).endswith("L03")
    assert ids.event_id("claim", pcn) == ids.event_id("claim", pcn)
