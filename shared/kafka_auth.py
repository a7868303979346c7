"""Who may do what on Kafka (45 CFR 164.312(a), (c), (d)): every client authenticates with
SASL/SCRAM-SHA-512 over TLS (the local CA, shared/tls.py) as a principal, and the brokers'
StandardAuthorizer allows each principal only its ACLs — derived here from the pipeline's one
declaration: a stage writes what it produces and the dead letters of what it consumes, reads
what it consumes, and owns its faust app's own topics and consumer group (prefix
`rcmflow-<service>`). `admin` (rcm init, tools, tests) and `broker` (between brokers) are
super users; anyone else may do nothing.

deploy/local/infra.sh formats the brokers' storage with every principal's SCRAM credential
(`python -m shared.kafka_auth scram`) and adds the ACLs (`python -m shared.kafka_auth acls`)."""

from __future__ import annotations

import sys
from typing import Any

from shared import credentials, tls
from shared.pipeline import STAGES
from shared.pipeline import stage as stage_named
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, VISITS, dlq_topic
from shared.settings import get_settings

ADMIN, BROKER = "admin", "broker"
MECHANISM = "SCRAM-SHA-512"
# what a stage reads beyond what it consumes as a stage: the encounter follows every visit's
# fate to answer GET /visits/{id} (encounter.domain.visit_state)
_FOLLOWED = (CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES)
EXTRA_READS = {
    "encounter": (*_FOLLOWED, *(dlq_topic(t) for t in (VISITS, *_FOLLOWED))),
    # the console counts the dead letters of every topic it reads (console.entrypoints.app)
    "console": tuple(dlq_topic(t) for t in stage_named("console").consumes if not t.endswith(".dlq")),
}
# a person's answer to a review item that cannot be read goes to the review topic's dead letters
EXTRA_WRITES = {"coder": (dlq_topic(CODING_REVIEW),)}


def principals() -> tuple[str, ...]:
    return (*(s.service for s in STAGES), ADMIN, BROKER)


_service: list[str] = []  # the service this process runs, once shared.streaming.make_app has said


def act_as(service: str) -> None:
    """Called by make_app: every Kafka client of this process is the service from now on."""
    _service[:] = [service]


def principal() -> str:
    """This process's principal: KAFKA_PRINCIPAL, else the service it runs, else the admin (the
    CLI, tests, tools)."""
    return get_settings().kafka_principal or (_service[0] if _service else ADMIN)


def client_options(name: str | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for an authenticated, encrypted connection as `name`."""
    if not get_settings().kafka_sasl:
        return {}
    name = name or principal()
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": name,
        "sasl_plain_password": credentials.known_password(f"kafka-{name}") or "",
        "ssl_context": tls.client_context(),
    }


def faust_credentials(service: str) -> Any:
    """faust's broker_credentials for a service (its own principal unless KAFKA_PRINCIPAL says)."""
    if not get_settings().kafka_sasl:
        return None
    import faust  # only the services need it

    act_as(service)
    name = principal()
    return faust.SASLCredentials(
        username=name,
        password=credentials.known_password(f"kafka-{name}") or "",
        ssl_context=tls.client_context(),
        mechanism=MECHANISM,
    )


def acls() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(principal, resource type, pattern type, resource name, operations), every one allowed."""
    found: list[tuple[str, str, str, str, tuple[str, ...]]] = []
    for stage in STAGES:
        who = stage.service
        writes = (*stage.produces, *(dlq_topic(t) for t in stage.consumes if not t.endswith(".dlq")),
                  *EXTRA_WRITES.get(who, ()))  # fmt: skip
        reads = (*stage.consumes, *EXTRA_READS.get(who, ()))
        for topic in dict.fromkeys(writes):
            found.append((who, "topic", "literal", topic, ("Write", "Describe")))
        for topic in dict.fromkeys(reads):
            found.append((who, "topic", "literal", topic, ("Read", "Describe")))
        app_id = f"rcmflow-{who}"  # shared.streaming.make_app: faust's app id, group and internal topics
        found.append((who, "topic", "prefixed", app_id, ("All",)))
        found.append((who, "group", "prefixed", app_id, ("All",)))
    return found


def acl_command_args() -> list[list[str]]:
    """One argument list of Kafka's AclCommand (org.apache.kafka.tools.AclCommand) per ACL."""
    commands = []
    for who, kind, pattern, name, operations in acls():
        args = ["--add", "--allow-principal", f"User:{who}", "--resource-pattern-type", pattern, f"--{kind}", name]
        for operation in operations:
            args += ["--operation", operation]
        commands.append(args)
    return commands


def main() -> None:
    """`python -m shared.kafka_auth scram|acls|jaas NAME`: for deploy/local/infra.sh."""
    what = sys.argv[1]
    if what == "scram":  # StorageTool format arguments: every principal's SCRAM credential
        for name in principals():
            print(f"--add-scram\t{MECHANISM}=[name={name},password={credentials.password(f'kafka-{name}')}]")
    elif what == "acls":
        for args in acl_command_args():
            print("\t".join(args))
    elif what == "password":
        print(credentials.password(f"kafka-{sys.argv[2]}"))


if __name__ == "__main__":
    main()
