"""The page behind a mail's stop link: a GET shows a button, a POST (the button, or a mail
program's one-click request, RFC 8058) stops that kind of mail to that address."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from service.api.auth import Access
from service.application.inputs import existing
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.errors import NotFound
from service.i18n import gettext
from service.mail_stops import DESCRIPTIONS, StopLink, read_stop_token, subjects_with
from service.security import email_hash
from service.settings import Settings
from service.web.commands import run
from service.web.rendering import language_of, page

STOP = "/unsubscribe/{token:str}"


def _link(settings: Settings, token: str) -> StopLink:
    link = read_stop_token(settings.secret_key, token)
    if link is None:
        raise NotFound("stop link", token)
    return link


class MailStopPages(Controller):
    tags = ["pages"]
    include_in_schema = False

    @get(STOP, opt={"access": Access.PUBLIC})
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        """Opening the link changes nothing (mail scanners open links): it asks first."""
        link = _link(settings, token)
        state = existing(await service.state(link.workshop_id))
        return page(
            request,
            "web/mail_stop.html",
            kind=gettext(language_of(request), DESCRIPTIONS[link.kind]),
            workshop_title=state.title,
            action=request.url.path,
        )

    @post(STOP, opt={"access": Access.PUBLIC}, status_code=200)
    async def stop(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        """Stop the link's kind of mail to its address; again changes nothing."""
        link = _link(settings, token)
        state = existing(await service.state(link.workshop_id))
        subjects = subjects_with(state, link.email_hash, partial(email_hash, settings.secret_key))
        command = c.StopMails(email_hash=link.email_hash, kind=link.kind, subjects=subjects)
        await run(service, link.workshop_id, command)
        language = language_of(request)
        return page(
            request,
            "web/message.html",
            heading=gettext(language, "Stopped"),
            text=gettext(language, "You will get no more mails of this kind from %(workshop)s: %(kind)s.")
            % {"workshop": state.title, "kind": gettext(language, DESCRIPTIONS[link.kind])},
            link=None,
            link_text="",
        )
