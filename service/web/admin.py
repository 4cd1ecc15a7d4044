"""The organiser's pages: the home (their workshops, see web/home.py; failed jobs with retry;
sign-in by a mailed link; the organiser token still signs in by a form post, for automation) and
the development outbox (mails when no SMTP server is configured)."""

from __future__ import annotations

import mailbox
import secrets
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath
from litestar.response import Redirect

from service.api.auth import ORGANISER_COOKIE, Access, Principal, sign_in_cookie, signin_hash
from service.application.dead_letters import DeadLetters
from service.application.inputs import checked_email
from service.application.networks import NetworkService
from service.application.runner import WorkshopService
from service.application.signin_links import SigninLinkRequest, link_hash
from service.domain.errors import Invalid
from service.domain.links import PAGES
from service.organisers import Organisers
from service.ratelimit import Limit, RateLimiter
from service.security import same_secret
from service.settings import Settings
from service.signins import OrganiserSignin, SigninLinks, Signins
from service.templating import render
from service.web.home import ZONES, home_groups
from service.web.networks import home_networks
from service.web.rendering import field_text, language_of, page

ORGANISER_SIGNIN_SECONDS = 12 * 3600


def _outbox(settings: Settings) -> list[tuple[str, EmailMessage]]:
    """The development outbox, newest first; empty when mail goes out over SMTP."""
    directory = Path(settings.outbox_dir)
    if settings.smtp_url or not directory.is_dir():
        return []
    box = mailbox.Maildir(directory, create=False)
    found = []
    for key in box.iterkeys():
        message = message_from_bytes(box.get_bytes(key), policy=default)
        if isinstance(message, EmailMessage):
            found.append((key, message))
    return sorted(found, key=lambda item: parsedate_to_datetime(str(item[1]["Date"])), reverse=True)


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body is not None else ""


@get("/dev/outbox", opt={"access": Access.ORGANISER}, tags=["operations"], include_in_schema=False)
async def outbox(settings: NamedDependency[Settings]) -> Response[str]:
    """Mails that would have gone out, for development without an SMTP server."""
    messages = await anyio.to_thread.run_sync(_outbox, settings)
    page = render(
        "web/outbox.html",
        "en",
        "Europe/Berlin",
        messages=[
            {
                "key": key,
                "to": str(m["To"]),
                "subject": str(m["Subject"]),
                "date": str(m["Date"]),
                "text": _text(m),
                "attachments": [part.get_filename() or "" for part in m.iter_attachments()],
            }
            for key, m in messages
        ],
        smtp=bool(settings.smtp_url),
    )
    return Response(page, media_type="text/html")


@get("/admin", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def admin_page(
    request: Request[Any, Any, Any],
    dead_letters: NamedDependency[DeadLetters],
    principal: NamedDependency[Principal | None],
    service: NamedDependency[WorkshopService],
    networks: NamedDependency[NetworkService],
) -> Response[str]:
    """The organiser's home: their workshops (running, upcoming, past) with a form for a new one,
    failed jobs with retry, and the outbox; signed out, the form that mails a sign-in link."""
    signed_in = principal is not None and principal.kind == "organiser"
    if not signed_in:
        return page(request, "web/admin.html", signed_in=False, letters=[], error=None, sent=False)
    only = principal.network_id if principal is not None else None  # a coordinator: their network only
    letters = [] if only is not None else await anyio.to_thread.run_sync(dead_letters.listed)
    return page(
        request,
        "web/admin.html",
        signed_in=True,
        letters=letters,
        error=None,
        sent=False,
        groups=await home_groups(service, language_of(request), only),
        networks=[n for n in await home_networks(networks, service, language_of(request)) if only in {None, n.id}],
        coordinator=only is not None,
        zones=ZONES,
    )


@post("/admin/signin-link", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def admin_signin_link(
    request: Request[Any, Any, Any], signin_link_request: NamedDependency[SigninLinkRequest]
) -> Response[str]:
    """Mails a sign-in link to an organiser's address; the page says the same for any address."""
    form = await request.form()
    try:
        email = checked_email(str(form.get("email") or ""), "email") or ""
    except Invalid:
        error = field_text(language_of(request), "email")
        return page(request, "web/admin.html", status=422, signed_in=False, letters=[], error=error, sent=False)
    await signin_link_request.ask(email)
    return page(request, "web/admin.html", status=202, signed_in=False, letters=[], error=None, sent=True)


@get("/admin/signin/{link_id:str}", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def signin_link_page(
    request: Request[Any, Any, Any], link_id: FromPath[str], settings: NamedDependency[Settings]
) -> Response[str]:
    """The page a sign-in link opens: one button signs in. Opening it uses nothing up, so a mail
    scanner that follows the link signs nobody in."""
    links: SigninLinks = request.app.state.signin_links
    valid = await links.peek(link_hash(settings, link_id)) is not None
    return page(request, "web/signin.html", status=200 if valid else 410, valid=valid, link_id=link_id)


@post("/admin/signin/{link_id:str}", opt={"access": Access.PUBLIC}, status_code=303, include_in_schema=False)
async def use_signin_link(
    request: Request[Any, Any, Any],
    link_id: FromPath[str],
    service: NamedDependency[WorkshopService],
    settings: NamedDependency[Settings],
    organisers: NamedDependency[Organisers],
) -> Response[str] | Redirect:
    """Uses the link up and signs the browser in as its organiser."""
    links: SigninLinks = request.app.state.signin_links
    organiser_id = await links.take(link_hash(settings, link_id))
    if organiser_id is None or await organisers.find(organiser_id) is None:
        return page(request, "web/signin.html", status=410, valid=False, link_id=link_id)
    signin = OrganiserSignin(organiser=organiser_id, method="mail_link", signed_in_at=service.clock.now())
    return await _signed_in(request, settings, signin)


@post("/admin/login", opt={"access": Access.PUBLIC}, status_code=303, include_in_schema=False)
async def admin_login(
    request: Request[Any, Any, Any], service: NamedDependency[WorkshopService], settings: NamedDependency[Settings]
) -> Response[str] | Redirect:
    """Signs the browser in as organiser: the cookie holds a sign-in of its own, not the token."""
    await _limit_logins(request, settings)
    form = await request.form()
    if not same_secret(str(form.get("token") or ""), settings.admin_token):
        error = field_text(language_of(request), "token")
        return page(request, "web/admin.html", status=401, signed_in=False, letters=[], error=error, sent=False)
    signin = OrganiserSignin(organiser="admin", method="admin_token", signed_in_at=service.clock.now())
    return await _signed_in(request, settings, signin)


async def _signed_in(request: Request[Any, Any, Any], settings: Settings, signin: OrganiserSignin) -> Redirect:
    """Keeps the sign-in and gives the browser its cookie: a random id of its own, never a token."""
    signin_id = secrets.token_urlsafe(32)
    signins: Signins = request.app.state.signins
    await signins.save(signin_hash(settings, signin_id), signin, ORGANISER_SIGNIN_SECONDS)
    cookie = sign_in_cookie(settings, ORGANISER_COOKIE, signin_id, ORGANISER_SIGNIN_SECONDS, samesite="strict")
    return Redirect(PAGES.admin(), status_code=303, cookies=[cookie])


async def _limit_logins(request: Request[Any, Any, Any], settings: Settings) -> None:
    """Guessing the organiser token is throttled per client, like sign-ups (429 with Retry-After)."""
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    limits = [Limit(f"admin-login:{client}", settings.admin_logins_per_client_minute)]
    retry_after = await limiter.hit("admin", limits, 60)
    if retry_after is not None:
        raise TooManyRequestsException(
            "Too many sign-in attempts; please try again shortly.", headers={"Retry-After": str(retry_after)}
        )


@post(
    "/admin/dead-letters/{job_id:str}/retry", opt={"access": Access.ORGANISER}, status_code=303, include_in_schema=False
)
async def admin_retry(job_id: FromPath[str], dead_letters: NamedDependency[DeadLetters]) -> Redirect:
    await anyio.to_thread.run_sync(dead_letters.retry, job_id)
    return Redirect(PAGES.admin(), status_code=303)
