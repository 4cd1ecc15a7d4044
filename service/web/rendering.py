"""Rendering pages: the reader's language, the CSRF token for forms, and the shared helpers."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.utils.scope.state import ScopeState

from service.domain.links import PAGES
from service.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, accepted_language, gettext
from service.reports.labels import label
from service.templating import render

LANGUAGE_COOKIE = "knoten_lang"
YEAR = 365 * 24 * 3600
NO_STORE = {"Cache-Control": "no-store"}  # answers to links that carry a secret: kept by no cache


def language_of(request: Request[Any, Any, Any]) -> str:
    """`?lang=` (the switch), then the cookie it sets, then Accept-Language, then German."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return _accepted_language(request) or DEFAULT_LANGUAGE


def _accepted_language(request: Request[Any, Any, Any]) -> str | None:
    """The first of our languages in the Accept-Language header, by the reader's weights."""
    return accepted_language(request.headers.get("accept-language", ""))


def csrf_token(request: Request[Any, Any, Any]) -> str:
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status: int = 200,
    timezone: str = "Europe/Berlin",
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Response[str]:
    """A page in the reader's language; remembers a language chosen with the switch."""
    language = language_of(request)
    html = render(
        template,
        language,
        timezone,
        label=partial(label, language),
        csrf_token=csrf_token(request),
        paths=PAGES,
        **context,
    )
    cookies = list(cookies or [])
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(Cookie(key=LANGUAGE_COOKIE, value=language, max_age=YEAR, samesite="lax", path="/"))
    return Response(html, status_code=status, media_type="text/html", cookies=cookies)


ERROR_PAGES = {
    400: (N_("Please check your entries"), N_("Something in what was sent does not fit. Please go back and check it.")),
    401: (N_("Please use your personal link"), N_("Open the link from your e-mail or the sign-in link again.")),
    403: (N_("This is not for you"), N_("Your link does not allow this. Please use your own link.")),
    404: (N_("Not found"), N_("This page does not exist (any more).")),
    409: (
        N_("That is not possible any more"),
        N_("This has changed in the meantime (it may be closed). Please reload the page."),
    ),
    422: (N_("That was sent before"), N_("This form was sent before with other entries. Please reload the page.")),
    429: (N_("Too many tries"), N_("Please wait a minute and try again.")),
}
OTHER_CLIENT_ERROR = (N_("That did not work"), N_("Please go back and try again."))
SERVER_ERROR = (N_("Something went wrong"), N_("Please try again in a moment."))
FIELD_TEXTS = {
    "name": N_("Please enter your name."),
    "consent": N_("Please agree to the privacy notice, so that we may store your sign-up."),
    "email": N_("This e-mail address does not look right."),
    "organisation": N_("Please give the organisation on one line, 200 characters at most."),
    "code": N_("This sign-in link is not (or no longer) valid. Please ask for a new one."),
    "starts_at": N_("Please give a date and a time for the intro talk."),
    "minutes": N_("Please give 5 to 240 minutes and 1 to 50 newcomers."),
    "host_email": N_("The host's e-mail address does not look right."),
    "token": N_("That is not the organiser token."),
    "newcomer": N_("Please say whether you are new here."),
    "table_code": N_("Please scan the QR code at the table, or type the code from the poster."),
    "workshop_times": N_("Please give a date and a time for the start and the end."),
    "ends_at": N_("The end must not be before the start."),
    "title": N_("Please give a title on one line, 200 characters at most."),
    "timezone": N_("Please choose a time zone from the list."),
    "organiser_email": N_("The organisers' e-mail address does not look right."),
    "follow_up_after": N_("Please give 1 to 365 days."),
    "intro_deadline": N_("Please give 1 to 365 days."),
    "starts_on": N_("Please give the new start date."),
}
"""What a page says about a field it refused, by the field the error names."""
ANY_FIELD = N_("Please check your entries.")


def field_text(language: str, field: str) -> str:
    """The reader's words for a refused field; a field without its own words gets the general ones."""
    return gettext(language, FIELD_TEXTS.get(field, ANY_FIELD))


def error_page(request: Request[Any, Any, Any], status: int, fields: list[str]) -> Response[str]:
    """Errors on pages, in words a participant or facilitator understands, in their language."""
    language = language_of(request)
    heading, text = ERROR_PAGES.get(status, SERVER_ERROR if status >= 500 else OTHER_CLIENT_ERROR)
    known = [field for field in fields if field in FIELD_TEXTS]
    return page(
        request,
        "web/message.html",
        status=status,
        heading=gettext(language, heading),
        text=field_text(language, known[0]) if known else gettext(language, text),
        link="/",
        link_text="knoten",
    )
