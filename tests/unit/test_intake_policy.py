"""The edge text policy, the payer directory and the limits, as every intake channel applies them."""

from __future__ import annotations

import orjson
import pytest

from encounter.adapters.reference import load_facilities, load_payer_directory
from encounter.domain import text_policy
from encounter.domain.fhir_in import OperationOutcomeError, parse_bundle
from encounter.domain.hl7_in import Hl7Error, ack, parse_message
from encounter.domain.intake import MAX_ERRORS, MAX_VISITS, IntakeRejected, parse_visits
from encounter.domain.payers import Identifier
from tests.unit.sample import visit_dict

PAYERS = load_payer_directory()


def rejected(body: bytes) -> IntakeRejected:
    with pytest.raises(IntakeRejected) as caught:
        parse_visits(body)
    return caught.value


def test_letters_outside_x12_are_transliterated_never_dropped() -> None:
    visit = visit_dict(patient={**visit_dict()["patient"], "first_name": "José", "last_name": "Ñúñez-Straße"})
    [parsed] = parse_visits(orjson.dumps(visit))
    assert parsed.patient.first_name == "Jose" and parsed.patient.last_name == "Nunez-Strasse"
    assert text_policy.as_x12_element(parsed.patient.first_name) == "JOSE"


@pytest.mark.parametrize("bad", ["Te\x00sta", "Te\x1bsta", "Te\x85sta", "Te\ue000sta"])
def test_control_characters_are_refused_with_the_field_named(bad: str) -> None:
    visit = visit_dict(patient={**visit_dict()["patient"], "first_name": bad})
    caught = rejected(orjson.dumps(visit))
    assert caught.status == 422
    assert [(e.field, e.message) for e in caught.errors] == [("patient.first_name", text_policy.CONTROL)]
    assert "Te" not in str([e.message for e in caught.errors])


def test_a_nul_anywhere_is_refused_even_in_free_text_or_unknown_fields() -> None:
    visit = visit_dict(notes="line one\nline two")  # line breaks are fine in free text
    assert parse_visits(orjson.dumps(visit))
    visit = visit_dict(notes="bad\x00", extra={"x": ["\x00"]})
    assert {e.field for e in rejected(orjson.dumps(visit)).errors} == {"notes", "extra.x[0]"}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("first_name", "***", text_policy.EMPTY),  # only delimiters: an empty element once written
        ("first_name", "\u200b\u200b", None),  # invisible only: empty, refused by the contract
        ("last_name", "Smith 😀", text_policy.SYMBOLS),
    ],
)
def test_values_empty_after_cleaning_or_holding_emoji_are_refused(field: str, value: str, problem: str | None) -> None:
    visit = visit_dict(patient={**visit_dict()["patient"], field: value})
    caught = rejected(orjson.dumps(visit))
    assert [e.field for e in caught.errors] == [f"patient.{field}"]
    if problem is not None:
        assert caught.errors[0].message == problem


def test_too_long_after_transliteration_is_refused() -> None:
    # 35 characters in, 70 once each ß becomes ss: over the first name's 35
    visit = visit_dict(patient={**visit_dict()["patient"], "first_name": "ß" * 35})
    assert [e.field for e in rejected(orjson.dumps(visit)).errors] == ["patient.first_name"]


def test_identifiers_are_not_transliterated() -> None:
    visit = visit_dict(coverage={**visit_dict()["coverage"], "member_id": "ÄB123"})
    caught = rejected(orjson.dumps(visit))
    assert [(e.field, e.message) for e in caught.errors] == [("coverage.member_id", text_policy.OUTSIDE_X12)]


def test_items_and_errors_per_request_are_bounded() -> None:
    assert rejected(b"[" + b",".join([b"{}"] * 300_000) + b"]").status == 413
    caught = rejected(orjson.dumps([{"visit_id": "bad id"}] * MAX_VISITS))
    assert len(caught.errors) == MAX_ERRORS + 1 and "more problems" in caught.errors[-1].message


def test_payers_resolve_by_id_naic_sender_system_and_name() -> None:
    assert PAYERS.resolve([Identifier("urn:rcmflow:payer-id", "BLUEPEAK")], []) == "BLUEPEAK"
    assert PAYERS.resolve([Identifier("urn:oid:2.16.840.1.113883.6.300", "99102")], []) == "NORTHSTAR"
    assert PAYERS.resolve([Identifier("https://ehr.riverside.example/payer-id", "1001")], []) == "MEDICARE"
    assert PAYERS.resolve([Identifier(None, "00999")], []) == "MEDICARE"
    assert PAYERS.resolve([], ["medicare"]) == "MEDICARE"
    assert PAYERS.resolve([Identifier("https://other.example", "1001")], ["Acme Health"]) is None


def bundle_with(entries: list[object]) -> bytes:
    return orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})


@pytest.mark.parametrize("resource_type", [7, None, ["Patient"], "NotAResource", "HumanName", "__class__"])
def test_fhir_entries_of_no_known_resource_type_are_an_operation_outcome(resource_type: object) -> None:
    with pytest.raises(OperationOutcomeError) as caught:
        parse_bundle(bundle_with([{"resource": {"resourceType": resource_type, "name": "Testa"}}]), PAYERS)
    assert caught.value.status == 422
    assert caught.value.outcome()["issue"][0]["expression"] == ["Bundle.entry[0].resource.resourceType"]


def test_fhir_nul_is_refused_naming_the_element() -> None:
    body = bundle_with([{"resource": {"resourceType": "Patient", "id": "p1", "name": [{"family": "Te\x00sta"}]}}])
    with pytest.raises(OperationOutcomeError) as caught:
        parse_bundle(body, PAYERS)
    assert caught.value.outcome()["issue"][0]["expression"] == ["Bundle.entry[0].resource.name[0].family"]


def hl7(msh10: str = "CTL-1", name: str = "Example^Testa", in1: str = "IN1|1|BP-PPO|BLUEPEAK|BluePeak") -> str:
    return "\r".join([
        f"MSH|^~\\&|EHR|SPRINGFIELD|RCMFLOW|RCMFLOW|20261120103000||ADT^A03^ADT_A03|{msh10}|P|2.5.1",
        f"PID|1||P-1^^^EHR^MR||{name}||19710309|F",
        "PV1|1|O|CLINIC|EST|||1234567893^Sample^Lee^^^^^^NPI" + "|" * 11 + "OFFICE|V-HL7-1" + "|" * 25
        + "202611200900|202611200930",
        in1 + "|" * 32 + "ZZT000111",
        "DG1|1||I10^^I10||20261120|F",
    ])  # fmt: skip


def test_hl7_nul_in_msh10_is_refused_without_echoing_it() -> None:
    with pytest.raises(Hl7Error) as caught:
        parse_message(hl7(msh10="CTL\x00-1"), load_facilities(), PAYERS)
    assert caught.value.ack_code == "AR" and caught.value.control_id == ""
    assert caught.value.errors == [f"MSH-10 {text_policy.CONTROL}"]
    answer = ack(hl7(msh10="CTL\x00-1"), "AR", "", str(caught.value), caught.value.errors)
    assert "\x00" not in answer and "MSA|AR|" in answer


def test_hl7_names_are_transliterated_and_nul_in_a_name_is_an_ae() -> None:
    [visit] = parse_message(hl7(name="Ñúñez^José"), load_facilities(), PAYERS).visits
    assert (visit.patient.first_name, visit.patient.last_name) == ("Jose", "Nunez")
    with pytest.raises(Hl7Error) as caught:
        parse_message(hl7(name="Ex\x00ample^Testa"), load_facilities(), PAYERS)
    assert caught.value.ack_code == "AE" and caught.value.control_id == "CTL-1"
    assert caught.value.errors == [f"PID-5 {text_policy.CONTROL}"]


def test_hl7_payer_resolved_by_name_or_refused_saying_what_was_looked_for() -> None:
    [visit] = parse_message(hl7(in1="IN1|1||X1^^^OTHER|Medicare"), load_facilities(), PAYERS).visits
    assert visit.coverage is not None and visit.coverage.payer_id == "MEDICARE"
    with pytest.raises(Hl7Error) as caught:
        parse_message(hl7(in1="IN1|1||X1^^^OTHER|Acme Health"), load_facilities(), PAYERS)
    assert caught.value.ack_code == "AE"
    assert "OTHER|X1" in caught.value.errors[0] and "Acme Health" in caught.value.errors[0]


def test_rejections_cross_the_parsing_process_whole() -> None:
    import pickle

    from encounter.domain.intake import FieldError

    outcome = OperationOutcomeError([FieldError("Bundle.entry", "x")], status=413)
    back = pickle.loads(pickle.dumps(outcome))
    assert type(back) is OperationOutcomeError and back.status == 413 and back.errors == outcome.errors
    nak = pickle.loads(pickle.dumps(Hl7Error("AE", "PID-5 bad", "CTL-1", ["PID-5 bad"])))
    assert (nak.ack_code, nak.control_id, nak.errors, str(nak)) == ("AE", "CTL-1", ["PID-5 bad"], "PID-5 bad")
