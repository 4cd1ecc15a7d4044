"""The organiser's sign-in link by mail (the API seals what the job carries)."""

from __future__ import annotations

from service.application.signin_links import unseal
from workers.context import context
from workers.mail import build_message, render_mail


def send_signin_link(sealed: str) -> None:
    """Send one sign-in link; a retry after a failure sends the same link again."""
    ctx = context()
    mail = unseal(ctx.settings.secret_key, sealed)
    rendered = render_mail(
        "signin_link", mail.language, mail.to, "", name=mail.name, link=mail.link, minutes=mail.minutes
    )
    ctx.mailer.send(build_message(rendered, ctx.settings.mail_from, ctx.clock))
