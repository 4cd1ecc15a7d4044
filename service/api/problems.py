"""RFC 9457 problem details for every error, so clients always get the same shape."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from service.domain.errors import Conflict, DomainError, Invalid, NotFound
from service.workshops import IdempotencyMismatch

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


def problem(
    status: int, detail: str, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None
) -> Response[Problem]:
    body = Problem(status=status, title=HTTPStatus(status).phrase, detail=detail, errors=errors)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


_BACKTICKED = re.compile(r"field `([^`]+)`")


def _field_of(entry: dict[str, Any]) -> str:
    """Litestar names the body as `data` when a field is missing or unknown; find the field."""
    key = str(entry.get("key") or "")
    found = _BACKTICKED.search(str(entry.get("message", "")))
    if key in {"", "data"} and found:
        return found.group(1)
    return key or "body"


def on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [FieldError(_field_of(e), str(e.get("message", ""))) for e in extra if isinstance(e, dict)]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) if errors else str(exc.detail)
    return problem(400, detail, errors or None)


def on_bad_input(_: Request[Any, Any, Any], exc: BadInput) -> Response[Problem]:
    return problem(400, f"{exc.field}: {exc.message}", [FieldError(exc.field, exc.message)])


def on_domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    if isinstance(exc, Invalid):
        return problem(400, exc.detail, [FieldError(exc.field, exc.message)])
    if isinstance(exc, NotFound):
        return problem(404, exc.detail)
    if isinstance(exc, Conflict):
        return problem(409, exc.detail)
    return problem(400, exc.detail)


def on_idempotency_mismatch(_: Request[Any, Any, Any], __: IdempotencyMismatch) -> Response[Problem]:
    return problem(422, "This Idempotency-Key was used before with another request.")


def on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    return problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; nothing you sent was lost or half-done.")


exception_handlers = {
    ValidationException: on_validation,
    BadInput: on_bad_input,
    DomainError: on_domain,
    IdempotencyMismatch: on_idempotency_mismatch,
    HTTPException: on_http,
    Exception: on_unexpected,
}
