"""The console's pages (filled in by the next step)."""

from __future__ import annotations

import faust


def register(app: faust.App) -> None:
    return None
