"""Kafka locked down (45 CFR 164.312(a), (c), (d), (e)) on the running stack: nobody connects
without SASL/SCRAM over TLS, and a principal writes only the topics its stage owns — a forged
visit produced as another service is refused, so nothing codes it. Fails if SASL or the ACLs
are removed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from bench.synthetic import VisitFactory
from shared import kafka, kafka_auth, tls
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, REMITTANCES, VISITS, Producer, VisitReceived
from shared.schemas.common import utcnow
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, intake_url, read_since, visit_ids_of, wait_for, web

pytestmark = pytest.mark.skipif(not get_settings().kafka_sasl, reason="KAFKA_SASL=0: Kafka without SASL")

# (principal, a topic another stage owns that it must not write)
FORGERIES = [
    ("coder", VISITS),
    ("biller", VISITS),
    ("payer-sim", VISITS),
    ("console", VISITS),
    ("encounter", CODED_ENCOUNTERS),
    ("biller", CODED_ENCOUNTERS),
    ("coder", CLAIMS),
    ("biller", REMITTANCES),
    ("payer-sim", CLAIMS),
]


async def produce_as(principal: str, topic: str, event: VisitReceived) -> None:
    producer = kafka.make_producer(**kafka_auth.client_options(principal))
    await producer.start()
    try:
        await producer.send_and_wait(topic, kafka.encode(event), key=event.key)
    finally:
        await producer.stop()


@pytest.mark.parametrize(("principal", "topic"), FORGERIES)
async def test_a_principal_cannot_write_a_topic_another_stage_owns(
    principal: str, topic: str, factory: VisitFactory
) -> None:
    event = VisitReceived.of(factory.visit(0), utcnow(), Producer(service="encounter"))  # claims to be the intake
    before = await end_offsets(topic)
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(principal, topic, event)
    assert event.visit_id not in visit_ids_of(await read_since(topic, before))


async def test_a_forged_visit_is_refused_and_never_coded_while_the_intake_s_visits_are(factory: VisitFactory) -> None:
    forged, real = (VisitReceived.of(v, utcnow(), Producer(service="encounter")) for v in factory.visits(2))
    visits_before, coded_before = await end_offsets(VISITS), await end_offsets(CODED_ENCOUNTERS)
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as("coder", VISITS, forged)  # a stolen coder credential
    answer = web().post(intake_url(), auth=SENDER, content=real.visit.model_dump_json(), timeout=30)
    assert answer.status_code == 202, answer.text

    async def real_one_coded() -> bool:
        return real.visit_id in visit_ids_of(await read_since(CODED_ENCOUNTERS, coded_before))

    assert await wait_for(real_one_coded, timeout=90)
    assert forged.visit_id not in visit_ids_of(await read_since(VISITS, visits_before))
    assert forged.visit_id not in visit_ids_of(await read_since(CODED_ENCOUNTERS, coded_before))


async def test_the_owner_may_write_its_own_topic(factory: VisitFactory) -> None:
    """The ACLs let the right principal through (else the refusals above prove nothing)."""
    event = VisitReceived.of(factory.visit(0), utcnow(), Producer(service="encounter"))
    before = await end_offsets(VISITS)
    await produce_as("encounter", VISITS, event)
    assert event.visit_id in visit_ids_of(await read_since(VISITS, before))


@pytest.mark.parametrize(
    "options",
    [
        {"security_protocol": "PLAINTEXT"},
        {"security_protocol": "SSL", "ssl_context": "ca"},
        {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": "admin",
            "sasl_plain_password": "not-the-password",
            "ssl_context": "ca",
        },
    ],
    ids=["plaintext", "tls-without-sasl", "wrong-password"],
)
async def test_a_client_without_valid_credentials_cannot_connect(options: dict[str, object]) -> None:
    if options.get("ssl_context") == "ca":
        options = {**options, "ssl_context": tls.client_context()}
    producer = AIOKafkaProducer(bootstrap_servers=get_settings().kafka_bootstrap_servers, request_timeout_ms=5000,
                                **options)  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(KafkaError):
        try:
            await producer.start()
        finally:
            await producer.stop()


def test_the_broker_data_service_logs_and_state_are_private() -> None:
    """Segments hold every patient's events (kept forever: the audit record); logs and faust's
    state are the services'. Nobody but their owner may list or read them."""
    run = Path(get_settings().secrets_dir).parent
    folders = [run / "kafka", run / "kafka" / "data", run / "logs", run / "faust"]
    for folder in folders:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = [f for d in folders for f in d.rglob("*") if f.is_file()]
    assert any(f.name == "server.log" for f in files) and any(
        f.suffix == ".log" for f in files if f.parent.name == "logs"
    )
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file
