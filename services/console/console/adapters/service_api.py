"""The only ways the console changes anything: the owning service's HTTP API. The coder's review
API (coder.entrypoints.review: POST /review/{visit_id} with a person's codes) and the biller's
denial work (biller.entrypoints.denial_work: POST /claims/{claim_id}/denial-work)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from shared import tls

TIMEOUT = aiohttp.ClientTimeout(total=40)  # the services wait up to 30 s for Kafka's acknowledgement


@dataclass(frozen=True)
class Answer:
    status: int
    errors: list[str]


async def _post(url: str, body: dict[str, Any], token: str, service: str) -> Answer:
    """Sent with the logged-in person's own access token: the service checks their role and
    books the change under their name."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, json=body, headers=headers, ssl=tls.http_verify()) as response,
        ):
            answer = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return Answer(503, [f"the {service} did not answer; try again shortly"])
    errors = [f"{e.get('field', '')}: {e.get('message', '')}" for e in (answer or {}).get("errors", [])]
    return Answer(response.status, errors)


async def submit_review(coder_url: str, visit_id: str, decision: dict[str, Any], token: str) -> Answer:
    return await _post(f"{coder_url}/review/{quote(visit_id, safe='')}", decision, token, "coder's review service")


async def work_denial(biller_url: str, claim_id: str, work: dict[str, Any], token: str) -> Answer:
    return await _post(f"{biller_url}/claims/{quote(claim_id, safe='')}/denial-work", work, token, "biller")
