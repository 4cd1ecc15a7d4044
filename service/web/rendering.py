"""Rendering pages: the reader's language, the CSRF token for forms, and the shared helpers."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.utils.scope.state import ScopeState

from service.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext
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
    ranked = []
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, weight = part.strip().partition(";q=")
        try:
            ranked.append((float(weight) if weight else 1.0, tag.split("-")[0].lower()))
        except ValueError:
            continue
    for _, tag in sorted(ranked, key=lambda item: -item[0]):
        if tag in LANGUAGES:
            return tag
    return None


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
        template, language, timezone, label=partial(label, language), csrf_token=csrf_token(request), **context
    )
    cookies = list(cookies or [])
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(Cookie(key=LANGUAGE_COOKIE, value=language, max_age=YEAR, samesite="lax", path="/"))
    return Response(html, status_code=status, media_type="text/html", cookies=cookies)


def error_page(request: Request[Any, Any, Any], status: int, detail: str) -> Response[str]:
    """Errors on pages, in words a participant or facilitator understands."""
    language = language_of(request)
    headings = {
        401: N_("Please use your personal link"),
        403: N_("This is not for you"),
        404: N_("Not found"),
        409: N_("That is not possible any more"),
        422: N_("That was sent before"),
        429: N_("Too many tries"),
    }
    heading = gettext(language, headings.get(status, N_("Something went wrong")))
    text = {
        401: gettext(language, "Open the link from your e-mail or the sign-in link again."),
        404: gettext(language, "This page does not exist (any more)."),
    }.get(status, detail if status < 500 else gettext(language, "Please try again in a moment."))
    return page(request, "web/message.html", status=status, heading=heading, text=text, link="/", link_text="knoten")
