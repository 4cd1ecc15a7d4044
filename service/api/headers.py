"""Security headers on every response: a content security policy without inline scripts,
no MIME sniffing, no referrer (personal links carry tokens), no framing. The API documentation
(/schema, Swagger UI with its spec in an inline script) gets a policy of its own that still allows
nothing from another site."""

from __future__ import annotations

from collections.abc import Iterable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


RawHeaders = list[tuple[bytes, bytes]]


def replaced(headers: Iterable[tuple[bytes, bytes]], ours: RawHeaders) -> RawHeaders:
    """A response's raw headers with `ours` in place of any of the same names (in any case)."""
    names = {name for name, _value in ours}
    return [header for header in headers if bytes(header[0]).lower() not in names] + ours


def _raw(pairs: dict[str, str]) -> RawHeaders:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs.items()]


PAGE_HEADERS = _raw({**HEADERS, "Content-Security-Policy": CSP})
DOCS_HEADERS = _raw({**HEADERS, "Content-Security-Policy": DOCS_CSP})


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware; the interactive API docs (/schema) may run their inline script. The
    headers go into the raw list directly (Litestar's `MutableScopeHeaders` scans the list for
    each header it sets: 4 µs a response against 1.3)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        ours = DOCS_HEADERS if scope["path"].startswith("/schema") else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = replaced(message.get("headers", ()), ours)
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
