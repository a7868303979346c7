"""The compose deployment keeps the local stack's controls (no Docker here to run it: these read
its files). Each assertion names a hole issue 13 found in the old file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
BROKERS3 = yaml.safe_load((DEPLOY / "docker-compose.brokers3.yml").read_text())
SERVICES = COMPOSE["services"]


def published(service: dict) -> list[str]:
    return [str(p) for p in service.get("ports", [])]


def test_only_the_intake_prometheus_and_grafana_are_published_and_never_on_every_interface() -> None:
    assert {name for name, s in SERVICES.items() if published(s)} == {"encounter", "prometheus", "grafana"}
    for name in ("kafka", "postgres", "coder", "biller", "payer-sim"):
        assert not published(SERVICES[name]), name
    for port in published(SERVICES["prometheus"]) + published(SERVICES["grafana"]):
        assert port.startswith("127.0.0.1:"), port
    for port in published(SERVICES["encounter"]):  # the host address is the operator's choice, loopback by default
        assert port.startswith("${INTAKE_BIND:-127.0.0.1}:"), port


def test_no_secret_is_written_in_the_compose_files() -> None:
    for compose in (COMPOSE, BROKERS3):
        for name, service in compose["services"].items():
            for key, value in (service.get("environment") or {}).items():
                if re.search(r"PASSWORD|SECRET", key):
                    assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), (
                        f"{name}: {key} is written in the file"
                    )
                if key.endswith("DATABASE_URL"):
                    assert urlsplit(str(value)).password is None, f"{name}: a password in {key}"
    text = (DEPLOY / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: rcmflow" not in text and ":rcmflow@" not in text


def test_every_secret_the_deployment_reads_is_in_the_example_env_file_which_alone_is_committed() -> None:
    example = (DEPLOY / ".env.example").read_text()
    declared = set(re.findall(r"^([A-Z0-9_]+)=", example, re.M))
    used = set(
        re.findall(
            r"\$\{?(RCM_SECRET_[A-Z0-9_]+|GF_SECURITY_ADMIN_PASSWORD)", (DEPLOY / "docker-compose.yml").read_text()
        )
    )
    used |= set(re.findall(r"\$\{?(RCM_SECRET_[A-Z0-9_]+)", (DEPLOY / "kafka/compose-start.sh").read_text()))
    assert used and used <= declared, used - declared
    assert "deploy/.env" in (ROOT / ".gitignore").read_text().split()


def test_grafana_requires_a_login() -> None:
    env = SERVICES["grafana"]["environment"]
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert env.get("GF_AUTH_DISABLE_LOGIN_FORM", "false") == "false"
    assert env["GF_USERS_ALLOW_SIGN_UP"] == "false"


def test_kafka_in_compose_runs_the_local_stack_s_sasl_tls_and_acl_settings() -> None:
    properties = (DEPLOY / "kafka/server.properties").read_text()
    expected = (
        "listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL",
        "inter.broker.listener.name=SASL_SSL",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "allow.everyone.if.no.acl.found=false",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "listener.name.controller.ssl.client.auth=required",
    )
    for line in expected:
        assert line in properties.splitlines(), line
    assert "PLAINTEXT" not in properties.replace("SASL_PLAINTEXT", "")
    for compose in (COMPOSE, BROKERS3):
        for name, service in compose["services"].items():
            if name.startswith("kafka"):
                assert service["command"] == ["/opt/rcmflow/compose-start.sh"], name
    mounts = SERVICES["kafka"]["volumes"]
    assert "./kafka/server.properties:/opt/rcmflow/server.properties:ro" in mounts


def test_postgres_in_compose_asks_every_connection_for_a_password_over_tls() -> None:
    hba = [line.split() for line in (DEPLOY / "postgres/pg_hba.conf").read_text().splitlines()
           if line.strip() and not line.startswith("#")]  # fmt: skip
    assert hba and all(entry[0] in ("local", "hostssl") and entry[-1] == "scram-sha-256" for entry in hba)
    command = " ".join(SERVICES["postgres"]["command"])
    assert "ssl=on" in command and "hba_file=/etc/rcmflow/pg_hba.conf" in command
    assert "trust" not in (DEPLOY / "docker-compose.yml").read_text()


def test_every_service_and_prometheus_speak_tls_with_the_compose_ca() -> None:
    for name in ("init", "encounter", "coder", "biller", "payer-sim"):
        service = {**COMPOSE["x-service"], **SERVICES[name]}
        assert service["environment"]["RCM_TLS_DIR"] == "/tls", name
        assert "tls:/tls:ro" in service["volumes"], name
    for name in ("encounter", "coder", "biller", "payer-sim"):
        assert "tls.client_context()" in " ".join(SERVICES[name]["healthcheck"]["test"]), name
    scrape = yaml.safe_load((DEPLOY / "prometheus/prometheus-compose.yml").read_text())["scrape_configs"]
    assert all(job["scheme"] == "https" and job["tls_config"]["ca_file"] == "/tls/ca.pem" for job in scrape)
    local = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())["scrape_configs"]
    assert all(job["scheme"] == "https" and "ca_file" in job["tls_config"] for job in local)
