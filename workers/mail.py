"""Building and sending mails: templates in the recipient's language, text and HTML parts,
attachments (iCalendar), and two ways out: SMTP, or a development outbox (a Maildir)."""

from __future__ import annotations

import hashlib
import mailbox
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import msgspec

from service.clock import Clock
from service.i18n import language_or_default
from service.settings import Settings
from service.templating import environment, helpers


class Attachment(msgspec.Struct, frozen=True):
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    effect: str  # the ledger entry this mail is; also makes its Message-ID
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None  # whom a reply should reach, e.g. the host of an intro talk
    stop_url: str | None = None  # the one-click link that stops this kind of mail (RFC 8058)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Sends over SMTP: `smtp://host:port`, `smtps://` for TLS, user:password@ for login."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._tls else 25)
        self._login = (parts.username, parts.password or "") if parts.username else None

    def send(self, message: EmailMessage) -> None:
        smtp_class = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
        with smtp_class(self._host, self._port, timeout=30) as smtp:
            if self._login is not None:
                smtp.login(*self._login)
            smtp.send_message(message)


class OutboxMailer:
    """Development: mails land in a Maildir that the outbox page shows."""

    def __init__(self, directory: str) -> None:
        self._directory = directory

    def send(self, message: EmailMessage) -> None:
        Path(self._directory).parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self._directory, create=True).add(message)  # makes tmp/, new/ and cur/


def mailer_for(settings: Settings) -> Mailer:
    return SmtpMailer(settings.smtp_url) if settings.smtp_url else OutboxMailer(settings.outbox_dir)


def render_mail(kind: str, language: str, to: str, effect: str, **context: Any) -> Mail:
    """Render `mail/<kind>.txt` (blocks `subject` and `body`) and `mail/<kind>.html`."""
    language = language_or_default(language)
    env = environment(language)
    variables = {**context, **helpers(language, context.get("timezone", "Europe/Berlin"))}
    text_template = env.get_template(f"mail/{kind}.txt")
    blocks = text_template.new_context(variables)
    subject = "".join(text_template.blocks["subject"](blocks)).strip()
    text = "".join(text_template.blocks["body"](blocks)).strip() + "\n"
    html = env.get_template(f"mail/{kind}.html").render(variables)
    return Mail(
        effect=effect,
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=tuple(context.get("attachments", ())),
        reply_to=context.get("reply_to"),
    )


def with_stop_link(mail: Mail, url: str, language: str) -> Mail:
    """The mail with its stop link: in the headers, and at the end of the text and the HTML."""
    env = environment(language_or_default(language))
    text = mail.text + env.get_template("mail/_stop.txt").render(url=url)
    footer = env.get_template("mail/_stop.html").render(url=url)
    head, body_end, tail = mail.html.rpartition("</body>")
    html = f"{head}{footer}{body_end}{tail}" if body_end else mail.html + footer
    return msgspec.structs.replace(mail, text=text, html=html, stop_url=url)


def message_id(effect: str) -> str:
    return f"<{hashlib.sha256(effect.encode()).hexdigest()[:32]}@knoten>"


def build_message(mail: Mail, sender: str, clock: Clock) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = " ".join(mail.subject.split())  # a name from before single-line fields may hold a break
    message["From"] = sender
    message["To"] = mail.to
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id(mail.effect) if mail.effect else make_msgid(domain="knoten")
    message["Auto-Submitted"] = "auto-generated"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    if mail.stop_url:
        message["List-Unsubscribe"] = f"<{mail.stop_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        mime, _, params = attachment.content_type.partition(";")
        maintype, subtype = mime.strip().split("/")
        extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, params=extra
        )
    return message
