"""Who is asking, and may they? Three kinds of bearer token, one guard.

Every route declares its rule in `opt["access"]`; the guard enforces it, and the access
test walks the app's route list, so a route without a rule cannot slip through.

- organiser: `KNOTEN_ADMIN_TOKEN`, or a sign-in (the organiser cookie) made with it or with a
  mailed link, as long as that organiser is not ended; may do everything.
- facilitator `f.<workshop>.<secret>`: everything inside that workshop.
- participant `p.<workshop>.<participant>.<secret>`: their own data.
Tokens are stored only as keyed hashes, in the events that issued them; pages carry them in
HttpOnly cookies, never in their HTML or URLs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, NamedTuple

import msgspec
from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.routes import HTTPRoute

from service.application.runner import WorkshopService
from service.organisers import Organisers
from service.security import keyed_hash, same_secret, token_hash
from service.settings import Settings
from service.signins import OrganiserSignin, Signins


class Access(StrEnum):
    PUBLIC = "public"  # no token needed; a token, if sent, is still checked
    ORGANISER = "organiser"
    FACILITATOR = "facilitator"  # organiser or this workshop's facilitator
    MEMBER = "member"  # any of the above or a participant of this workshop
    PARTICIPANT = "participant"  # only a participant (their own data)
    NETWORK = "network"  # an organiser, or a facilitator of one of the network's workshops (the handler checks which)


class Principal(msgspec.Struct, frozen=True):
    kind: Literal["organiser", "facilitator", "participant"]
    workshop_id: str | None = None
    participant_id: str | None = None
    network_id: str | None = None  # an organiser limited to one network: its coordinator

    def manages(self, workshop_id: str) -> bool:
        return self.kind == "organiser" or (self.kind == "facilitator" and self.workshop_id == workshop_id)


FACILITATOR_COOKIE = "knoten_f_{}"
PARTICIPANT_COOKIE = "knoten_p"
TOKEN_SEPARATOR = "|"  # noqa: S105 - a phone keeps the tokens of every workshop and person it signed up with
MAX_DEVICE_TOKENS = 20


def participant_tokens(cookie: str | None) -> list[str]:
    return [token for token in (cookie or "").split(TOKEN_SEPARATOR) if token]


def _device_token(cookie: str, path_params: dict[str, Any]) -> str | None:
    """The participant token for the path's workshop (and person, on the personal pages); else
    the device's newest, which the route's rule then refuses (403: not this person's)."""
    scope = ".".join(str(path_params[k]) for k in ("workshop_id", "participant_id") if k in path_params)
    tokens = participant_tokens(cookie)
    return next((t for t in tokens if t.startswith(f"p.{scope}.")), next(iter(tokens), None))


ORGANISER_COOKIE = "knoten_o"
CSRF_COOKIE = "knoten_csrf"
CSRF_HEADER = "x-csrftoken"
TOKEN_LINK_PAGES = frozenset({"/me"})
ORGANISER_PAGES = ("/admin", "/dev/outbox")  # pages that trade `?token=` for a cookie and redirect


class Credential(NamedTuple):
    """What a request brings: a token, or (`signin`) the id of an organiser's sign-in, which
    only the organiser cookie holds."""

    value: str
    signin: bool = False


def credential(connection: ASGIConnection[Any, Any, Any, Any]) -> Credential | None:
    """The credential of a request: the Authorization header; for API reads and token links
    also `?token=` (EventSource cannot send headers); else the pages' sign-in cookies, which an
    API write may use only with the page's CSRF token in `X-CSRFToken` (so that no other site
    can make a browser write)."""
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credential(value.strip())
    path, method = connection.scope["path"], connection.scope.get("method")
    if method == "GET" and (path.startswith("/api/") or path in TOKEN_LINK_PAGES):
        query_token = connection.query_params.get("token")  # parsed only where it may be used
        if query_token:
            return Credential(query_token)
    if method not in {"GET", "HEAD"} and path.startswith("/api/") and not csrf_confirmed(connection):
        return None
    return _cookie(connection)


def _cookie(connection: ASGIConnection[Any, Any, Any, Any]) -> Credential | None:
    signin = connection.cookies.get(ORGANISER_COOKIE)
    if signin and connection.scope["path"].startswith(ORGANISER_PAGES):
        # the organiser's pages: a console link or a sign-up opened in the same browser does not
        # turn the organiser into that workshop's facilitator or that participant there
        return Credential(signin, signin=True)
    workshop_id = connection.path_params.get("workshop_id")
    names = [FACILITATOR_COOKIE.format(workshop_id)] if workshop_id else []
    for name in names:
        if connection.cookies.get(name):
            return Credential(connection.cookies[name])
    if connection.cookies.get(PARTICIPANT_COOKIE):
        found = _device_token(connection.cookies[PARTICIPANT_COOKIE], connection.path_params)
        if found is not None:
            return Credential(found)
    return Credential(signin, signin=True) if signin else None


def csrf_confirmed(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """The request carries the CSRF token of the browser's CSRF cookie, signed by us: only our
    own pages can read the cookie and send it back in a header."""
    sent, kept = connection.headers.get(CSRF_HEADER), connection.cookies.get(CSRF_COOKIE)
    if not sent or not kept or len(kept) <= CSRF_SECRET_LENGTH or not same_secret(sent, kept):
        return False
    secret: str = connection.app.state.settings.secret_key
    return same_secret(kept[CSRF_SECRET_LENGTH:], generate_csrf_hash(kept[:CSRF_SECRET_LENGTH], secret))


def signin_hash(settings: Settings, signin_id: str) -> str:
    return keyed_hash(settings.secret_key, "organiser-signin", signin_id)


async def identify(found: Credential, app_state: State) -> Principal | None:
    """The principal a credential stands for, or None when it is not valid (any more)."""
    settings: Settings = app_state.settings
    if found.signin:
        signins: Signins = app_state.signins
        signin = await signins.find(signin_hash(settings, found.value))
        return None if signin is None else await _still_organiser(signin, app_state)
    token = found.value
    if same_secret(token, settings.admin_token):
        return Principal("organiser")
    service: WorkshopService = app_state.service
    kind, *scope = token.split(".")
    if kind == "f" and len(scope) == 2:
        workshop = await service.state(scope[0])
        if token_hash(settings.secret_key, token) in workshop.facilitator_token_hashes:
            return Principal("facilitator", scope[0])
    if kind == "p" and len(scope) == 3:
        participant = (await service.state(scope[0])).participants.get(scope[1])
        if participant is not None and token_hash(settings.secret_key, token) in participant.token_hashes:
            return Principal("participant", scope[0], scope[1])
    return None


async def _still_organiser(signin: OrganiserSignin, app_state: State) -> Principal | None:
    """A sign-in by mailed link lasts only as long as its organiser does; a network
    coordinator's stays limited to their network."""
    if signin.method == "admin_token":
        return Principal("organiser")
    organisers: Organisers = app_state.organisers
    organiser = await organisers.find(signin.organiser)
    return None if organiser is None else Principal("organiser", network_id=organiser.network_id)


def sign_in_cookie(
    settings: Settings, key: str, value: str, max_age: int, samesite: Literal["lax", "strict"] = "lax"
) -> Cookie:
    """A sign-in cookie: HttpOnly, and Secure when knoten is reached over https."""
    return Cookie(
        key=key,
        value=value,
        httponly=True,
        secure=settings.secure_cookies,
        samesite=samesite,
        path="/",
        max_age=max_age,
    )


async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Enforce the route's access rule; remember the principal for the handler."""
    access = access_of(handler, connection.scope["path"])
    found = credential(connection)
    principal = None if found is None else await identify(found, connection.app.state)
    connection.state.principal = principal
    if access is Access.PUBLIC:
        return  # a stale token on a public page is no reason to refuse it
    if found is not None and principal is None:
        raise NotAuthorizedException("The token is not valid (any more).")
    if principal is None:
        raise NotAuthorizedException("This needs a token: Authorization: Bearer <token>.")
    workshop_id = connection.path_params.get("workshop_id")
    if not _allowed(access, principal, workshop_id):
        raise PermissionDeniedException("This token does not give the right to do that.")
    if principal.network_id is not None and not await _within_network(connection, handler, principal.network_id):
        raise PermissionDeniedException("A network coordinator may do this only within their network.")


async def authorize(request: Request[Any, Any, Any]) -> None:
    """Every route's access rule (`guard`), run before its handler as the app's before-request
    hook. Not a Litestar guard: Litestar hands each guard a copy of the route handler, ≈3 % of
    a sign-up's CPU (bench/command_path.py). A layer with a before-request hook of its own
    would take this one's place: `every_route_authorized` refuses such an app at start."""
    await guard(request, request.route_handler)


def every_route_authorized(app: Litestar) -> None:
    """Raise unless every route runs `authorize` before its handler."""
    for route in app.routes:
        handlers = route.route_handlers if isinstance(route, HTTPRoute) else [None]  # a WebSocket or ASGI route
        for handler in handlers:
            if handler is None or handler.resolve_before_request() is not authorize:
                raise RuntimeError(f"{route.path}: its handler would not run the access rule (service/api/auth.py)")


NETWORK_SCOPED = "network_scoped"
"""A route's opt flag: a network coordinator may use it though its path names no workshop or
network (the handler keeps them to their network: lists, the new-workshop form)."""


async def _within_network(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler, network_id: str
) -> bool:
    """Whether a network coordinator's request stays within their network: a path naming their
    network or one of its workshops, or a route that keeps them to it by itself."""
    params = connection.path_params
    if "network_id" in params:
        return bool(params["network_id"] == network_id)
    if "workshop_id" in params:
        service: WorkshopService = connection.app.state.service
        return (await service.state(str(params["workshop_id"]))).network_id == network_id
    return bool(handler.opt.get(NETWORK_SCOPED))


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
    if access is Access.NETWORK:
        return principal.kind in {"organiser", "facilitator"}
    if principal.kind == "organiser":
        return True
    if workshop_id is None or principal.workshop_id != workshop_id:
        return False
    return access is Access.MEMBER or principal.kind == "facilitator"


def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    principal: Principal | None = request.state.get("principal")
    return principal
