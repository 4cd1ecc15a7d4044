"""Who is asking, and may they? Three kinds of bearer token, one guard.

Every route declares its rule in `opt["access"]`; the guard enforces it, and the access
test walks the app's route list, so a route without a rule cannot slip through.

- organiser: `KNOTEN_ADMIN_TOKEN`; may do everything.
- facilitator `f.<workshop>.<secret>`: everything inside that workshop.
- participant `p.<workshop>.<participant>.<secret>`: their own data.
Tokens are stored only as keyed hashes, in the events that issued them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.security import same_secret, token_hash
from service.settings import Settings
from service.workshops import WorkshopService


class Access(StrEnum):
    PUBLIC = "public"  # no token needed; a token, if sent, is still checked
    ORGANISER = "organiser"
    FACILITATOR = "facilitator"  # organiser or this workshop's facilitator
    MEMBER = "member"  # any of the above or a participant of this workshop
    PARTICIPANT = "participant"  # only a participant (their own data)


class Principal(msgspec.Struct, frozen=True):
    kind: Literal["organiser", "facilitator", "participant"]
    workshop_id: str | None = None
    participant_id: str | None = None

    def manages(self, workshop_id: str) -> bool:
        return self.kind == "organiser" or (self.kind == "facilitator" and self.workshop_id == workshop_id)


FACILITATOR_COOKIE = "knoten_f_{}"
PARTICIPANT_COOKIE = "knoten_p"
TOKEN_SEPARATOR = "|"  # noqa: S105 - a phone keeps the tokens of every workshop and person it signed up with
MAX_DEVICE_TOKENS = 20


def participant_tokens(cookie: str | None) -> list[str]:
    return [token for token in (cookie or "").split(TOKEN_SEPARATOR) if token]


def _device_token(cookie: str, path_params: dict[str, Any]) -> str | None:
    """The participant token for the path's workshop (and person, on the personal pages)."""
    scope = ".".join(str(path_params[k]) for k in ("workshop_id", "participant_id") if k in path_params)
    tokens = participant_tokens(cookie)
    return next((t for t in tokens if t.startswith(f"p.{scope}.")), None) if scope else next(iter(tokens), None)


ORGANISER_COOKIE = "knoten_o"


def bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of a request: the Authorization header; for GET also `?token=` (EventSource
    cannot send headers); and the sign-in cookies of the pages, except for API writes, which
    must bring their token in the header (so no other site can make a browser write)."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    method = connection.scope.get("method")
    if method == "GET" and connection.query_params.get("token"):
        return connection.query_params.get("token")
    if method not in {"GET", "HEAD"} and connection.scope["path"].startswith("/api/"):
        return None
    workshop_id = connection.path_params.get("workshop_id")
    names = [FACILITATOR_COOKIE.format(workshop_id)] if workshop_id else []
    for name in names:
        if connection.cookies.get(name):
            return connection.cookies[name]
    if connection.cookies.get(PARTICIPANT_COOKIE):
        found = _device_token(connection.cookies[PARTICIPANT_COOKIE], connection.path_params)
        if found is not None:
            return found
    return connection.cookies.get(ORGANISER_COOKIE) or None


async def identify(token: str, settings: Settings, service: WorkshopService) -> Principal | None:
    """The principal a token stands for, or None when it is not a valid token."""
    if same_secret(token, settings.admin_token):
        return Principal("organiser")
    kind, *scope = token.split(".")
    if kind == "f" and len(scope) == 2:
        state = await service.state(scope[0])
        if token_hash(settings.secret_key, token) in state.facilitator_token_hashes:
            return Principal("facilitator", scope[0])
    if kind == "p" and len(scope) == 3:
        state = await service.state(scope[0])
        participant = state.participants.get(scope[1])
        if participant is not None and token_hash(settings.secret_key, token) in participant.token_hashes:
            return Principal("participant", scope[0], scope[1])
    return None


async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Enforce the route's access rule; remember the principal for the handler."""
    access = access_of(handler, connection.scope["path"])
    token = bearer(connection)
    principal = None
    if token is not None:
        app_state = connection.app.state
        principal = await identify(token, app_state.settings, app_state.service)
    connection.state.principal = principal
    if access is Access.PUBLIC:
        return  # a stale token on a public page is no reason to refuse it
    if token is not None and principal is None:
        raise NotAuthorizedException("The token is not valid (any more).")
    if principal is None:
        raise NotAuthorizedException("This needs a token: Authorization: Bearer <token>.")
    workshop_id = connection.path_params.get("workshop_id")
    if not _allowed(access, principal, workshop_id):
        raise PermissionDeniedException("This token does not give the right to do that.")


def access_of(handler: BaseRouteHandler, path: str) -> Access:
    """The route's rule; a route without one is for the organiser only, the API docs excepted."""
    rule = handler.opt.get("access")
    if rule is None:
        return Access.PUBLIC if path == "/schema" or path.startswith("/schema/") else Access.ORGANISER
    return Access(rule)


def _allowed(access: Access, principal: Principal, workshop_id: str | None) -> bool:
    if access is Access.ORGANISER:
        return principal.kind == "organiser"
    if access is Access.PARTICIPANT:
        return principal.kind == "participant"
    if principal.kind == "organiser":
        return True
    if workshop_id is None or principal.workshop_id != workshop_id:
        return False
    return access is Access.MEMBER or principal.kind == "facilitator"


def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    principal: Principal | None = request.state.get("principal")
    return principal
