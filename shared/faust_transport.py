"""faust's aiokafka transport with an idempotent producer (acks=all, enable.idempotence): a
produce request retried after its answer was lost — a broker failing over, a connection cut —
does not write the event twice. faust turns idempotence on only inside its exactly-once
transactions; the stages run at least once, so make_app asks for it here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport import drivers
from faust.transport.drivers import aiokafka as faust_aiokafka

SCHEME = "rcmkafka"


class IdempotentProducer(faust_aiokafka.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        return {"acks": "all", "enable_idempotence": True}


class Transport(faust_aiokafka.Transport):
    Producer = IdempotentProducer


def register() -> str:
    """Make `rcmkafka://host:port` name this transport; returns the scheme."""
    drivers.TRANSPORTS.aliases[SCHEME] = f"{__name__}:Transport"
    return SCHEME
