"""Event contracts, one module per topic, each with the factory that builds its event. Topic
names live here and nowhere else; `TOPIC_MODELS` maps each topic to its event model for the JSON
Schema export (json/) and the contract tests. Which stage consumes and produces which topic is
declared in shared.pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from shared.schemas import claim, coded_encounter, coding_review, denial_work, remittance, visit
from shared.schemas.claim import ClaimLine, ClaimSubmitted
from shared.schemas.coded_encounter import CodedDiagnosis, CodedEncounter, CodedServiceLine
from shared.schemas.coding_review import CodingReviewRequested, ReviewReason
from shared.schemas.common import Envelope, Producer
from shared.schemas.denial_work import DenialAction, DenialWorked
from shared.schemas.remittance import Adjustment, RemittanceIssued, RemittanceLine
from shared.schemas.visit import Visit, VisitReceived

VISITS = visit.TOPIC
CODED_ENCOUNTERS = coded_encounter.TOPIC
CODING_REVIEW = coding_review.TOPIC
CLAIMS = claim.TOPIC
REMITTANCES = remittance.TOPIC
DENIAL_WORK = denial_work.TOPIC

TOPIC_MODELS: dict[str, type[Envelope]] = {
    VISITS: VisitReceived,
    CODED_ENCOUNTERS: CodedEncounter,
    CODING_REVIEW: CodingReviewRequested,
    CLAIMS: ClaimSubmitted,
    REMITTANCES: RemittanceIssued,
    DENIAL_WORK: DenialWorked,
}

JSON_SCHEMA_DIR = Path(__file__).parent / "json"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def json_schemas() -> dict[str, str]:
    """File name -> JSON Schema text for every topic's event and for the intake request."""
    models: dict[str, type[BaseModel]] = {f"{t}.schema.json": m for t, m in TOPIC_MODELS.items()}
    models["intake-visit.schema.json"] = Visit
    return {name: json.dumps(m.model_json_schema(), indent=2, sort_keys=True) + "\n" for name, m in models.items()}


def write_json_schemas(directory: Path = JSON_SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in json_schemas().items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


__all__ = [
    "Adjustment",
    "ClaimLine",
    "ClaimSubmitted",
    "CodedDiagnosis",
    "CodedEncounter",
    "CodedServiceLine",
    "CodingReviewRequested",
    "DenialAction",
    "DenialWorked",
    "Envelope",
    "Producer",
    "RemittanceIssued",
    "RemittanceLine",
    "ReviewReason",
    "Visit",
    "VisitReceived",
]
