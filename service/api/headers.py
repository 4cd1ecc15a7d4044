"""Security headers on every response: a content security policy without inline scripts,
no MIME sniffing, no referrer (personal links carry tokens), no framing. The API documentation
(/schema, Swagger UI with its spec in an inline script) gets a policy of its own that still allows
nothing from another site."""

from __future__ import annotations

from collections.abc import Iterable

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


def security_headers_of(path: str) -> RawHeaders:
    """The security headers of a response to `path`; the interactive API docs (/schema) may run
    their inline script. The request log's wrapper around the whole app puts them into each
    response's raw header list (service/api/request_log.py), 404s included; Litestar's
    `MutableScopeHeaders` would scan the list for each header it sets (4 µs a response against 1.3)."""
    return DOCS_HEADERS if path.startswith("/schema") else PAGE_HEADERS
