"""Helpers every write handler shares: idempotency keys, replies, people, links."""

from __future__ import annotations

import zoneinfo
from typing import Any

import msgspec
from email_validator import EmailNotValidError, validate_email
from litestar import Request, Response
from litestar.datastructures import State

from service.api.problems import BadInput
from service.application.runner import Idempotency, Reply, WorkshopService, fingerprint
from service.domain.events import Person
from service.domain.views import Links
from service.security import email_hash
from service.settings import Settings

MAX_IDEMPOTENCY_KEY = 128


def provide_service(state: State) -> WorkshopService:
    service: WorkshopService = state.service
    return service


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_links(state: State) -> Links:
    return Links(state.settings.base_url)


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


def checked_email(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise BadInput(field, str(exc)) from exc


def checked_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput("timezone", f"unknown time zone {value!r}") from exc
    return value


def person(subject: str, name: str, email: str | None, organisation: str | None, field: str) -> Person:
    return checked_person(subject, name, checked_email(email, field), organisation)


def checked_person(subject: str, name: str, email: str | None, organisation: str | None) -> Person:
    """A person from form fields whose e-mail address `checked_email` has already normalised."""
    return Person(subject, name.strip(), email, (organisation or "").strip() or None)


def hashed_email(settings: Settings, email: str | None) -> str | None:
    return None if email is None else email_hash(settings.secret_key, email)
