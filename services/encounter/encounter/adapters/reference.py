"""Loads the encounter service's reference data from services/encounter/encounter/data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def load_facilities() -> dict[str, dict]:
    """HL7 sending facility (MSH-4) -> billing provider fields of the visit contract."""
    return yaml.safe_load((DATA_DIR / "facilities.yaml").read_text())["facilities"]
