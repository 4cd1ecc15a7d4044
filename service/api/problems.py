"""RFC 9457 problem details for every error, so clients always get the same shape."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import msgspec
import redis
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from service.application.runner import IdempotencyMismatch
from service.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from service.store.redis import UNAVAILABLE

log = logging.getLogger("knoten.api")

PROBLEM_JSON = "application/problem+json"


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    status: int
    title: str
    detail: str
    type: str = "about:blank"
    errors: list[FieldError] | None = None


class BadInput(Exception):
    """A request that is malformed in a way the schema cannot say (400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


PageRenderer = Callable[[Request[Any, Any, Any], int, list[str]], Response[Any]]
"""Shows an error on a page as a page, in the reader's words: by status and the fields refused
(never the problem's English detail); the app puts one in `app.state.error_page`."""


def _page_renderer(request: Request[Any, Any, Any] | None) -> PageRenderer | None:
    if request is None or request.url.path.startswith(("/api/", "/schema", "/health", "/static/", "/metrics")):
        return None
    renderer: PageRenderer | None = request.app.state.get("error_page")
    return renderer


def problem(
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    request: Request[Any, Any, Any] | None = None,
) -> Response[Any]:
    """An RFC 9457 problem; for a page request, the same error as a page people can read."""
    if (renderer := _page_renderer(request)) is not None:
        assert request is not None
        shown = renderer(request, status, [error.field for error in errors or []])
        shown.headers.update(headers or {})  # Retry-After holds for people too
        return shown
    body = Problem(status=status, title=HTTPStatus(status).phrase, detail=detail, errors=errors)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


_BACKTICKED = re.compile(r"field `([^`]+)`")
_AT_FIELD = re.compile(r"at `\$\.(\w+)")


def invalid_field(exc: msgspec.ValidationError) -> str:
    """The top-level field a msgspec validation error is about, or "body". msgspec names it only
    in its message: "Expected `str` of length >= 1 - at `$.name`", "Object missing required field `name`"."""
    found = _AT_FIELD.search(str(exc)) or _BACKTICKED.search(str(exc))
    return found.group(1) if found else "body"


def bad_input(exc: msgspec.ValidationError) -> BadInput:
    """A page's form converted to a request body and refused, as the API would refuse it."""
    return BadInput(invalid_field(exc), str(exc))


def _field_of(entry: dict[str, Any]) -> str:
    """Litestar names the body as `data` when a field is missing or unknown; find the field."""
    key = str(entry.get("key") or "")
    found = _BACKTICKED.search(str(entry.get("message", "")))
    if key in {"", "data"} and found:
        return found.group(1)
    return key or "body"


def on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [FieldError(_field_of(e), str(e.get("message", ""))) for e in extra if isinstance(e, dict)]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) if errors else str(exc.detail)
    return problem(400, detail, errors or None, request=request)


def on_bad_input(request: Request[Any, Any, Any], exc: BadInput) -> Response[Any]:
    return problem(400, f"{exc.field}: {exc.message}", [FieldError(exc.field, exc.message)], request=request)


def on_domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, Invalid):
        return problem(400, exc.detail, [FieldError(exc.field, exc.message)], request=request)
    statuses = {NotFound: 404, Conflict: 409, Forbidden: 403}
    status = next((code for kind, code in statuses.items() if isinstance(exc, kind)), 400)
    return problem(status, exc.detail, request=request)


def on_idempotency_mismatch(request: Request[Any, Any, Any], _: IdempotencyMismatch) -> Response[Any]:
    return problem(422, "This Idempotency-Key was used before with another request.", request=request)


def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}), request=request)


STORE_DOWN_RETRY_AFTER_SECONDS = 5
STORE_FULL_RETRY_AFTER_SECONDS = 60


def _store_problem(request: Request[Any, Any, Any], detail: str, retry_after: int) -> Response[Any]:
    return problem(503, detail, headers={"Retry-After": str(retry_after)}, request=request)


def on_store_unavailable(request: Request[Any, Any, Any], exc: redis.RedisError) -> Response[Any]:
    """Redis is away (restarting, failing over): try again shortly. Whether a write that was
    under way landed is not known, so a retry must carry the same Idempotency-Key."""
    log.warning("Redis unavailable on %s %s: %s", request.method, request.url.path, exc)
    detail = (
        "The service cannot reach its storage just now. Please try again in a few seconds "
        "(with the same Idempotency-Key, so nothing is done twice)."
    )
    return _store_problem(request, detail, STORE_DOWN_RETRY_AFTER_SECONDS)


def on_store_full(request: Request[Any, Any, Any], exc: redis.exceptions.OutOfMemoryError) -> Response[Any]:
    """Redis reached `maxmemory` (never evicting: it refuses writes instead). Nothing of the
    request was written; reads still work. The operator must act, so this is logged as an error."""
    log.error("Redis is full (maxmemory) on %s %s: %s", request.method, request.url.path, exc)
    detail = (
        "The service's storage is full, so nothing new can be saved just now; what is saved stays. "
        "Please try again later (with the same Idempotency-Key); the operators have been alerted."
    )
    return _store_problem(request, detail, STORE_FULL_RETRY_AFTER_SECONDS)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; nothing you sent was lost or half-done.", request=request)


exception_handlers = {
    ValidationException: on_validation,
    BadInput: on_bad_input,
    DomainError: on_domain,
    IdempotencyMismatch: on_idempotency_mismatch,
    HTTPException: on_http,
    # Redis away, or a Redis Cluster between topologies (failover, resharding, a slot moving)
    **dict.fromkeys(UNAVAILABLE, on_store_unavailable),
    redis.exceptions.OutOfMemoryError: on_store_full,
    Exception: on_unexpected,
}
