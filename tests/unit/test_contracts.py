"""Event contracts: checked-in JSON Schemas are current; the compose file is complete."""

from pathlib import Path

import yaml
from pydantic import ValidationError

from bench.synthetic import VisitFactory
from shared.errors import describe
from shared.schemas import JSON_SCHEMA_DIR, json_schemas
from tests.unit.sample import make_visit

ROOT = Path(__file__).resolve().parents[2]


def test_json_schemas_are_not_stale() -> None:
    for name, text in json_schemas().items():
        path = JSON_SCHEMA_DIR / name
        assert path.exists(), f"{name} missing: run `make schemas`"
        assert path.read_text() == text, f"{name} is stale: run `make schemas` and commit"


def test_envelope_fields_are_in_every_event_schema() -> None:
    for name, text in json_schemas().items():
        if name.startswith("intake"):
            continue
        for field in ("event_id", "visit_id", "patient_id", "occurred_at", "schema_version", "producer"):
            assert f'"{field}"' in text, f"{name} lacks {field}"


def test_same_seed_same_visits() -> None:
    a = [v.model_dump_json() for v in VisitFactory(seed=11).visits(30)]
    b = [v.model_dump_json() for v in VisitFactory(seed=11).visits(30)]
    c = [v.model_dump_json() for v in VisitFactory(seed=12).visits(30)]
    assert a == b and a != c


def test_dead_letter_reason_names_fields_not_values() -> None:
    try:
        make_visit(patient={"id": "P-1", "first_name": "Testa", "last_name": "Example", "birth_date": "x", "sex": "F"})
    except ValidationError as exc:
        reason = describe(exc)
    assert "patient.birth_date" in reason and "Testa" not in reason and "'x'" not in reason


def test_compose_file_has_every_service_with_its_environment_and_dependencies() -> None:
    compose = yaml.safe_load((ROOT / "deploy/docker-compose.yml").read_text())
    services = compose["services"]
    for infra in ("kafka", "postgres", "prometheus", "grafana"):
        assert infra in services
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "healthcheck" in services["kafka"] and "healthcheck" in services["postgres"]
    for name, command in (("encounter", "rcm-encounter"), ("coder", "rcm-coder"), ("biller", "rcm-biller"),
                          ("payer-sim", "rcm-payer-sim")):  # fmt: skip
        svc = services[name]
        assert svc["command"] == [command]
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
        assert svc["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert "postgres:5432" in svc["environment"]["DATABASE_URL"]
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "healthcheck" in svc
    # a scaled coder must not pin a host port, or the replicas would collide
    assert "ports" not in services["coder"]
    assert (ROOT / "deploy/Dockerfile").exists()


def test_log_lines_name_the_kind_of_error_not_its_text() -> None:
    from shared.errors import loggable

    class FakeDbError(Exception):
        sqlstate = "23502"

    assert loggable(KeyError("Testa Example")) == "KeyError"
    assert loggable(FakeDbError("Failing row contains (Testa, 1971-03-09)")) == "FakeDbError (SQLSTATE 23502)"
