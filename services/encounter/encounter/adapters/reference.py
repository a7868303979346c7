"""Loads the encounter service's reference data from services/encounter/encounter/data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from encounter.domain.payers import PayerDirectory

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def load_facilities() -> dict[str, dict[str, Any]]:
    """HL7 sending facility (MSH-4) -> billing provider fields of the visit contract."""
    facilities: dict[str, dict[str, Any]] = yaml.safe_load((DATA_DIR / "facilities.yaml").read_text())["facilities"]
    return facilities


@lru_cache(maxsize=1)
def load_payer_directory() -> PayerDirectory:
    """How senders name payers -> rcmflow's payer ids (FHIR Coverage.payor, HL7 IN1)."""
    return PayerDirectory.of(yaml.safe_load((DATA_DIR / "payers.yaml").read_text()))
