"""The ACLs derived from the pipeline declaration (shared/kafka_auth.py): who may write and read
which topic. Pure: the running broker's refusals are tested in tests/integration/test_kafka_security.py."""

from __future__ import annotations

from shared.kafka_auth import acls
from shared.pipeline import STAGES, topics
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, VISITS, dlq_topic


def allowed(operation: str) -> dict[str, set[str]]:
    """topic -> principals allowed `operation` on it (literal topics only)."""
    found: dict[str, set[str]] = {}
    for who, kind, pattern, name, operations in acls():
        if kind == "topic" and pattern == "literal" and operation in operations:
            found.setdefault(name, set()).add(who)
    return found


def test_each_pipeline_topic_has_exactly_its_producers_as_writers() -> None:
    writers = allowed("Write")
    assert writers[VISITS] == {"encounter"}
    assert writers[CODED_ENCOUNTERS] == writers[CODING_REVIEW] == {"coder"}
    assert writers[CLAIMS] == {"biller"}
    assert writers[REMITTANCES] == {"payer-sim"}
    for stage in STAGES:
        for topic in stage.produces:
            assert writers[topic] == {s.service for s in STAGES if topic in s.produces}, topic


def test_a_dead_letter_topic_is_written_only_by_the_stages_that_read_its_topic() -> None:
    writers = allowed("Write")
    for topic in topics():
        if topic.endswith(".dlq"):
            source = topic.removesuffix(".dlq")
            readers = {s.service for s in STAGES if source in s.consumes}
            assert writers.get(topic, set()) - {"coder"} <= readers, topic  # the coder also answers review items
    assert "coder" in writers[dlq_topic(VISITS)]


def test_every_stage_reads_what_it_consumes_and_the_console_its_dead_letters() -> None:
    readers = allowed("Read")
    for stage in STAGES:
        for topic in stage.consumes:
            assert stage.service in readers[topic], (stage.service, topic)
    console = next(s for s in STAGES if s.service == "console")
    for topic in console.consumes:
        if not topic.endswith(".dlq"):
            assert "console" in readers[dlq_topic(topic)], topic
    assert "payer-sim" not in readers[VISITS] and "biller" not in readers[VISITS]


def test_faust_internal_topics_and_groups_are_each_service_s_own_prefix() -> None:
    prefixed = {(who, kind, name) for who, kind, pattern, name, _ in acls() if pattern == "prefixed"}
    for stage in STAGES:
        assert (stage.service, "topic", f"rcmflow-{stage.service}") in prefixed
        assert (stage.service, "group", f"rcmflow-{stage.service}") in prefixed
    assert len(prefixed) == 2 * len(STAGES)
