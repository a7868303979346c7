"""Who may do what: the scopes a view or command asks for, and the scopes a person's roles carry.
Systems are registered with scopes directly (`rcm clients add --scope`); people get them from
their roles. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

# scope: what it allows
SCOPES = {
    "visits.write": "submit visits (JSON, FHIR, HL7 v2) for the facilities the client is registered for",
    "visits.read": "where a visit stands (GET /visits/{id})",
    "review.read": "the coding review queue and its items",
    "review.write": "a coder's decision on a review item",
    "claims.read": "claims, denials, balances and statements; exports",
    "claims.write": "a biller's action on a denied claim: correct and resubmit, write off, appeal",
    "audit.read": "a visit's story across the topics (rcm audit)",
    "access-log.read": "the access log (rcm access-log)",
    "admin": "register and revoke clients and users",
}

ROLES: dict[str, frozenset[str]] = {
    "coder": frozenset({"review.read", "review.write", "visits.read"}),
    "biller": frozenset({"claims.read", "claims.write", "audit.read", "visits.read"}),
    "auditor": frozenset({"claims.read", "audit.read", "access-log.read", "visits.read", "review.read"}),
    "admin": frozenset({"admin"}),
}

SENDER_SCOPES = ["visits.write", "visits.read"]


def scopes_of_roles(roles: list[str]) -> set[str]:
    return set().union(*(ROLES[r] for r in roles if r in ROLES))


def unknown(names: list[str], known: dict[str, object]) -> list[str]:
    return [n for n in names if n not in known]


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the verified token and the identity store say."""

    name: str
    kind: str  # "client" | "user"
    scopes: frozenset[str]
    roles: tuple[str, ...] = ()
    facilities: frozenset[str] = field(default_factory=frozenset)
    hl7_sending_facility: str | None = None
    rate_per_second: float = 50.0
    burst: int = 100
    source: str = ""

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    def may_submit_for(self, npi: str, tax_id: str) -> bool:
        """A sender submits only for its registered facilities: the visit's billing NPI, or its TIN
        (a group registered by TIN may bill under any of its NPIs)."""
        return npi in self.facilities or tax_id in self.facilities

    def sends_as(self, sending_facility: str) -> bool:
        """An HL7 sender is bound to its MSH-4 sending facility (or several, comma-separated)."""
        return sending_facility in (self.hl7_sending_facility or "").split(",")


# The one principal the pipeline's own workers act as when they record something themselves.
def system(service: str) -> Principal:
    return Principal(name=service, kind="system", scopes=frozenset(), source="local")
