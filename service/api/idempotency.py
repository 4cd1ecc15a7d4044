"""The Idempotency-Key of a write and the reply stored under it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response

from service.api.problems import BadInput
from service.application.runner import Idempotency, Reply, fingerprint

MAX_IDEMPOTENCY_KEY = 128


async def idempotency_of(request: Request[Any, Any, Any]) -> Idempotency | None:
    """The request's Idempotency-Key with the fingerprint of what it asks for."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise BadInput("Idempotency-Key", f"must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters")
    raw = await request.body()
    try:
        body: Any = msgspec.json.decode(raw) if raw.strip() else None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # not JSON: the bytes as sent count
        body = raw.decode("utf-8", "replace")
    return Idempotency(key, fingerprint(request.method, request.url.path, body))


def respond(reply: Reply) -> Response[Any]:
    """Send a reply exactly as it was first rendered."""
    return Response(reply.body, status_code=reply.status, media_type="application/json")
