"""Adds the ACLs of shared/kafka_auth.py to the brokers (rcm init, as the admin principal).

aiokafka's admin client has no ACL call and its CreateAcls request stops at v1, which Kafka 4
no longer accepts (KIP-896); CreateAcls v3 (flexible, KIP-482) is declared here with aiokafka's
own protocol types. Adding an ACL that exists changes nothing, so this runs on every init."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import CompactArray, CompactString, Int8, Int16, Int32, Schema, TaggedFields

from shared.kafka_auth import acls

# org.apache.kafka.common.resource / acl enums (their wire codes)
RESOURCE = {"topic": 2, "group": 3, "cluster": 4}
PATTERN = {"literal": 3, "prefixed": 4}
OPERATION = {"All": 2, "Read": 3, "Write": 4, "Create": 5, "Delete": 6, "Alter": 7, "Describe": 8}
ALLOW = 3


class CreateAclsResponse_v3(Response):
    API_KEY = 30
    API_VERSION = 3
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(("error_code", Int16), ("error_message", CompactString("utf-8")), ("tags", TaggedFields)),
        ),
        ("tags", TaggedFields),
    )


class CreateAclsRequest_v3(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY = 30
    API_VERSION = 3
    RESPONSE_TYPE = CreateAclsResponse_v3
    SCHEMA = Schema(
        (
            "creations",
            CompactArray(
                ("resource_type", Int8),
                ("resource_name", CompactString("utf-8")),
                ("resource_pattern_type", Int8),
                ("principal", CompactString("utf-8")),
                ("host", CompactString("utf-8")),
                ("operation", Int8),
                ("permission_type", Int8),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class CreateAcls(Request[CreateAclsRequest_v3]):
    API_KEY = 30

    def __init__(self, creations: list[tuple[int, str, int, str, str, int, int, dict[int, bytes]]]) -> None:
        self._creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v3]) -> CreateAclsRequest_v3:
        return request_struct_class(self._creations, {})


def creations() -> list[tuple[int, str, int, str, str, int, int, dict[int, bytes]]]:
    rows: list[tuple[int, str, int, str, str, int, int, dict[int, bytes]]] = []
    for who, kind, pattern, name, operations in acls():
        for operation in operations:
            rows.append((RESOURCE[kind], name, PATTERN[pattern], f"User:{who}", "*", OPERATION[operation], ALLOW, {}))
    return rows


async def ensure_acls(admin: AIOKafkaAdminClient) -> int:
    """Every ACL the pipeline declares; returns how many bindings were sent."""
    wanted = creations()
    response = await admin._send_to_controller(CreateAcls(wanted))  # aiokafka has no public call for it
    errors = [(code, message) for code, message, _ in response.results if code]
    if errors:
        raise RuntimeError(f"Kafka refused {len(errors)} ACLs, first: {errors[0]}")
    return len(wanted)
