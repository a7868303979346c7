"""The pure parts of shared/security: tokens, assertions, roles and facilities, the access log's
hash, the rate bucket, and the encounter's intake rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.synthetic import VisitFactory
from encounter.domain.hl7_in import Hl7Message
from encounter.entrypoints.security import facility_refusal, hl7_refusal
from shared.security import access_log, tokens
from shared.security.guard import TokenBucket
from shared.security.policy import Principal, scopes_of_roles

URL = "http://127.0.0.1:8001/oauth/token"


def test_an_access_token_verifies_with_its_issuer_key_only() -> None:
    key, other = tokens.new_key_pair(), tokens.new_key_pair()
    token, seconds = tokens.issue(key, "demo", "client", ["visits.write"], [], 300)
    claims = tokens.verify_access_token(token, key.public_jwk)
    assert claims["sub"] == "demo" and claims["scope"] == "visits.write" and seconds == 300
    assert tokens.token_key_id(token) == key.kid
    with pytest.raises(tokens.TokenError, match="does not verify"):
        tokens.verify_access_token(token, other.public_jwk)
    expired, _ = tokens.issue(key, "demo", "client", ["visits.write"], [], -60)
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.verify_access_token(expired, key.public_jwk)


def test_a_client_assertion_is_checked_for_key_and_audience() -> None:
    client = tokens.new_key_pair()
    assertion = tokens.client_assertion("emr-1", client.private_pem, client.kid, URL)
    assert tokens.assertion_client_id(assertion) == "emr-1"
    assert tokens.verify_assertion(assertion, client.public_jwk, [URL])["jti"]
    with pytest.raises(tokens.TokenError, match="aud"):
        tokens.verify_assertion(assertion, client.public_jwk, ["http://elsewhere/oauth/token"])
    with pytest.raises(tokens.TokenError, match="registered key"):
        tokens.verify_assertion(assertion, tokens.new_key_pair().public_jwk, [URL])
    with pytest.raises(tokens.TokenError, match="not a JWT"):
        tokens.assertion_client_id("nonsense")


def test_roles_carry_scopes_and_senders_are_bound_to_facilities() -> None:
    assert "review.write" in scopes_of_roles(["coder"]) and "review.write" not in scopes_of_roles(["auditor"])
    assert "access-log.read" in scopes_of_roles(["auditor"]) and not scopes_of_roles(["nobody"])
    sender = Principal("emr", "client", frozenset({"visits.write"}), facilities=frozenset({"1234567893", "271234567"}),
                       hl7_sending_facility="SPRINGFIELD,RIVERSIDE")  # fmt: skip
    assert sender.may_submit_for("1234567893", "999999999")  # by NPI
    assert sender.may_submit_for("1999999999", "271234567")  # by TIN: a group's NPIs
    assert not sender.may_submit_for("1999999999", "999999999")
    assert sender.sends_as("RIVERSIDE") and not sender.sends_as("SPRING")


def test_intake_refuses_a_visit_of_another_facility_and_an_unbound_msh4() -> None:
    visit = VisitFactory(seed=3).visit(0)
    mine = Principal("emr", "client", frozenset(), facilities=frozenset({visit.facility.npi}),
                     hl7_sending_facility="SPRINGFIELD")  # fmt: skip
    other = Principal("emr", "client", frozenset(), facilities=frozenset({"1234567893"}))
    assert facility_refusal(mine, [visit]) is None
    refused = facility_refusal(other, [visit])
    assert refused is not None and refused.status == 403 and visit.facility.npi not in refused.reason
    message = Hl7Message("C1", "ADT^A03", "EHR", "SPRINGFIELD", [visit])
    assert hl7_refusal(mine, message) is None
    assert hl7_refusal(None, message) and hl7_refusal(other, message)


def test_the_access_log_hash_covers_every_field_and_the_previous_record() -> None:
    values = {"recorded_at": datetime(2026, 11, 28, 12, 0, tzinfo=UTC), "who": "test-coder", "who_kind": "user",
              "roles": ["coder"], "source": "127.0.0.1", "service": "coder", "action": "R", "what": "GET /review",
              "outcome": "0", "patients": ["P-1"], "detail": {"visits": ["V-1"]}}  # fmt: skip
    first = access_log.record_hash(access_log.GENESIS, values)
    assert first == access_log.record_hash(access_log.GENESIS, dict(values))  # canonical: same input, same hash
    for name, changed in [("who", "nobody"), ("patients", ["P-2"]), ("detail", {"visits": ["V-2"]}),
                          ("recorded_at", datetime(2026, 11, 28, 12, 0, 1, tzinfo=UTC)), ("action", "U")]:  # fmt: skip
        assert access_log.record_hash(access_log.GENESIS, {**values, name: changed}) != first, name
    assert access_log.record_hash(first, values) != first  # the link to the record before counts


def test_the_bucket_allows_a_burst_then_refuses_with_a_wait() -> None:
    bucket = TokenBucket()
    assert [bucket.take("emr", 0.5, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take("emr", 0.5, 3)
    assert 0 < wait <= 2.0
    assert bucket.take("another", 0.5, 3) == 0.0  # per caller
