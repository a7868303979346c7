"""The pipeline, declared once: each stage, what it consumes and produces, and where it listens.

The faust apps, `rcm init`'s topic list, the start scripts (`rcm pipeline --shell`), the
endpoint list printed by `make demo` and Prometheus's targets all read this module."""

from __future__ import annotations

from dataclasses import dataclass

from shared.schemas import (
    ACKNOWLEDGMENTS,
    CLAIMS,
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    DENIAL_WORK,
    ELIGIBILITY,
    REMITTANCES,
    VISITS,
    dlq_topic,
)
from shared.settings import get_settings


@dataclass(frozen=True)
class Stage:
    service: str  # the one name of the service: folder services/<service>/, metrics label, log name
    package: str  # its importable package under services/<service>/
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    default_port: int  # web port (intake API or /metrics); env <SERVICE>_PORT overrides it (shared.settings)
    command: str  # the console script that runs one worker
    # Workers of one stage share a consumer group; worker N listens on port + PORT_STRIDE * N.
    scales_out: bool = True
    # Workers share the stage's port (SO_REUSEPORT: the encounter's intake API and MLLP), each
    # also listening on port + PORT_STRIDE * (N + 1) for its metrics (shared/faust_web.py).
    shares_port: bool = False

    def port(self, worker: int = 0) -> int:
        base: int = getattr(get_settings(), f"{self.package}_port")
        return base + PORT_STRIDE * worker

    def worker_port(self, worker: int = 0) -> int:
        """Where worker N alone answers: its port, or for a shared port its own beside it."""
        return self.port(worker + 1) if self.shares_port else self.port(worker)


PORT_STRIDE = 10
# The dead-letter topics the console counts: those of every topic a stage consumes or a person answers.
CONSOLE_DLQ = (VISITS, CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES, ACKNOWLEDGMENTS)

STAGES: tuple[Stage, ...] = (
    Stage("encounter", "encounter", (), (VISITS,), 8001, "rcm-encounter", shares_port=True),
    Stage("coder", "coder", (VISITS,), (CODED_ENCOUNTERS, CODING_REVIEW), 8002, "rcm-coder"),
    Stage(
        "biller",
        "biller",
        (CODED_ENCOUNTERS, REMITTANCES, ACKNOWLEDGMENTS),
        (ELIGIBILITY, CLAIMS, DENIAL_WORK),
        8003,
        "rcm-biller",
    ),
    Stage("payer-sim", "payer_sim", (CLAIMS,), (ACKNOWLEDGMENTS, REMITTANCES), 8004, "rcm-payer-sim"),
    # Read models for people (web pages, `rcm kpis`); it acts only through the other services' APIs.
    Stage(
        "console",
        "console",
        (CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES, DENIAL_WORK, *(dlq_topic(t) for t in CONSOLE_DLQ)),
        (),
        8005,
        "rcm-console",
        scales_out=False,
    ),
)


def stage(service: str) -> Stage:
    for s in STAGES:
        if s.service == service:
            return s
    raise KeyError(service)


def topics() -> tuple[str, ...]:
    """Every topic the pipeline uses, and a dead-letter topic for each one a stage consumes or
    a person answers (coding-review)."""
    produced = [t for s in STAGES for t in s.produces]
    named = list(dict.fromkeys(produced))
    return (*named, *(dlq_topic(t) for t in named))
