import orjson
import pytest

from encounter.domain.intake import IntakeRejected, parse_visits
from tests.unit.sample import visit_dict


def fields(body: bytes) -> tuple[int, set[str]]:
    with pytest.raises(IntakeRejected) as caught:
        parse_visits(body)
    return caught.value.status, {e.field for e in caught.value.errors}


def test_one_visit_or_a_list() -> None:
    assert [v.visit_id for v in parse_visits(orjson.dumps(visit_dict()))] == ["V-UNIT-1"]
    two = [visit_dict(), visit_dict(visit_id="V-UNIT-2")]
    assert [v.visit_id for v in parse_visits(orjson.dumps(two))] == ["V-UNIT-1", "V-UNIT-2"]


def test_malformed_json_is_400_on_the_body() -> None:
    assert fields(b'{"visit_id": ') == (400, {"body"})


def test_every_bad_field_is_named() -> None:
    bad = visit_dict(service_date="2026-13-45")
    del bad["visit_id"]
    bad["provider"] = {**bad["provider"], "npi": "1234567890"}
    status, named = fields(orjson.dumps(bad))
    assert status == 422
    assert named == {"visit_id", "service_date", "provider.npi"}


def test_errors_in_a_list_carry_the_index() -> None:
    body = orjson.dumps(
        [visit_dict(), visit_dict(visit_id="V-2", facility={**visit_dict()["facility"], "tax_id": "12"})]
    )
    assert fields(body) == (422, {"[1].facility.tax_id"})


def test_error_messages_do_not_echo_patient_data() -> None:
    bad = visit_dict(patient={**visit_dict()["patient"], "birth_date": "not-a-date-Testa"})
    with pytest.raises(IntakeRejected) as caught:
        parse_visits(orjson.dumps(bad))
    assert "Testa" not in str([e.message for e in caught.value.errors])
