"""The Idempotency-Key of a write and the reply stored under it."""

from __future__ import annotations

from collections.abc import Iterable
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
    return idempotency_for(key, request.method, request.url.path, await request.body())


def idempotency_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The Idempotency-Key among an ASGI scope's headers (the first, as Litestar's `headers.get`)."""
    return next((value.decode("latin-1") for name, value in headers if name == b"idempotency-key"), None)


def idempotency_for(key: str, method: str, path: str, raw: bytes) -> Idempotency:
    """An Idempotency-Key as sent, with the fingerprint of the request's method, path and body."""
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise BadInput("Idempotency-Key", f"must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters")
    try:
        body: Any = msgspec.json.decode(raw) if raw.strip() else None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # not JSON: the bytes as sent count
        body = raw.decode("utf-8", "replace")
    return Idempotency(key, fingerprint(method, path, body))


def respond(reply: Reply) -> Response[Any]:
    """Send a reply exactly as it was first rendered."""
    return Response(reply.body, status_code=reply.status, media_type="application/json")
