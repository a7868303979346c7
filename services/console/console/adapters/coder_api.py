"""The coder's review API (services/coder/coder/entrypoints/review.py), the only way the console
changes a review item: POST /review/{visit_id} with a person's codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from shared import tls

TIMEOUT = aiohttp.ClientTimeout(total=40)  # the coder waits up to 30 s for Kafka's acknowledgement


@dataclass(frozen=True)
class Answer:
    status: int
    errors: list[str]


async def submit_review(base_url: str, visit_id: str, decision: dict[str, Any]) -> Answer:
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(f"{base_url}/review/{visit_id}", json=decision, ssl=tls.http_verify()) as response,
        ):
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError):
        return Answer(503, ["the coder's review service did not answer; try again shortly"])
    errors = [f"{e.get('field', '')}: {e.get('message', '')}" for e in (body or {}).get("errors", [])]
    return Answer(response.status, errors)
