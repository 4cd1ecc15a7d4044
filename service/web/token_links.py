"""Links that carry a participant's token (the personal link in mails): the page trades the
token for a cookie and redirects to a URL without it. A link never silently replaces another
person the browser is signed in as (someone could plant their own link in another person's
browser): the token waits in a short-lived HttpOnly cookie while a page asks first."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect

from service.api.auth import (
    MAX_DEVICE_TOKENS,
    PARTICIPANT_COOKIE,
    TOKEN_SEPARATOR,
    Access,
    Credential,
    Principal,
    identify,
    participant_tokens,
    sign_in_cookie,
)
from service.application.runner import WorkshopService
from service.domain.links import PAGES
from service.settings import Settings
from service.web.rendering import NO_STORE, page

PENDING_COOKIE = "knoten_p_link"
SWITCH = "/me/switch"
PARTICIPANT_SECONDS = 360 * 24 * 3600
PENDING_SECONDS = 15 * 60


def participant_cookie(request: Request[Any, Any, Any], settings: Settings, token: str) -> Cookie:
    """The device's participant cookie with `token` added: a phone keeps the personal links of
    every workshop (and every person) it signed up with, newest first."""
    held = participant_tokens(request.cookies.get(PARTICIPANT_COOKIE))
    tokens = [token, *(t for t in held if t != token)][:MAX_DEVICE_TOKENS]
    return sign_in_cookie(settings, PARTICIPANT_COOKIE, TOKEN_SEPARATOR.join(tokens), PARTICIPANT_SECONDS)


async def trade_token_link(request: Request[Any, Any, Any], settings: Settings, token: str) -> Redirect:
    """Add the link's token to the device, or ask first when the device holds other people. A
    "token" no link of ours can carry (not printable ASCII) is not kept: a cookie cannot hold it."""
    if not (token.isascii() and token.isprintable()):
        return Redirect(PAGES.me(), status_code=303, headers=NO_STORE)
    held = [await _participant(request, t) for t in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE))]
    people = [p for p in held if p is not None]
    if people and await _participant(request, token) not in people:
        pending = sign_in_cookie(settings, PENDING_COOKIE, token, PENDING_SECONDS)  # lax: links come from mail
        return Redirect(SWITCH, status_code=303, cookies=[pending], headers=NO_STORE)
    return Redirect(
        PAGES.me(), status_code=303, cookies=[participant_cookie(request, settings, token)], headers=NO_STORE
    )


async def _participant(request: Request[Any, Any, Any], token: str | None) -> Principal | None:
    principal = None if not token else await identify(Credential(token), request.app.state)
    return principal if principal is not None and principal.kind == "participant" else None


@get(SWITCH, opt={"access": Access.PUBLIC}, include_in_schema=False)
async def confirm_switch(request: Request[Any, Any, Any], service: NamedDependency[WorkshopService]) -> Response[Any]:
    """The question: this browser is signed in as one person, the link belongs to another."""
    held = await _participant(request, next(iter(participant_tokens(request.cookies.get(PARTICIPANT_COOKIE))), None))
    linked = await _participant(request, request.cookies.get(PENDING_COOKIE))
    if held is None or linked is None or held.workshop_id is None or linked.workshop_id is None:
        return Redirect(PAGES.me(), status_code=303)
    current = (await service.state(held.workshop_id)).participants[str(held.participant_id)]
    other = await service.state(linked.workshop_id)
    return page(request, "web/switch.html", held_by=current.person.name or "", workshop_title=other.title)


@post(SWITCH, opt={"access": Access.PUBLIC}, status_code=303, include_in_schema=False)
async def switch(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> Redirect:
    """The answer: sign in with the link's token, or stay; either way the waiting token goes."""
    form = await request.form()
    pending = request.cookies.get(PENDING_COOKIE)
    cookies = [Cookie(key=PENDING_COOKIE, value="", max_age=0, path="/")]
    if form.get("choice") == "switch" and pending and await _participant(request, pending) is not None:
        cookies.append(participant_cookie(request, settings, pending))
    return Redirect(PAGES.me(), status_code=303, cookies=cookies)
