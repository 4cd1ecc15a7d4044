"""Mailing an organiser's sign-in link: a job for the worker, carrying the recipient and the
link sealed under the deployment key, so RQ's Redis holds neither in clear."""

from __future__ import annotations

import base64
import logging
import secrets

import anyio.to_thread
import msgspec

from service.application.inputs import checked_email
from service.domain.errors import Invalid
from service.domain.links import Links
from service.i18n import DEFAULT_LANGUAGE, language_or_default
from service.organisers import Organiser, Organisers
from service.ratelimit import Limit, RateLimiter
from service.security import email_hash, keyed_hash, new_id
from service.settings import Settings
from service.signins import SigninLinks
from service.store.base import EventStore
from service.store.job_spec import JobSpec
from service.store.vault import KeyWrapper

log = logging.getLogger("knoten.signin")

SEALED_CONTEXT = "signin-link-mail"
QUARTER_HOUR = 15 * 60


class SigninLinkMail(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    name: str
    link: str
    minutes: int
    language: str = DEFAULT_LANGUAGE  # the language of the page or request that asked for it


def seal(secret_key: str, mail: SigninLinkMail) -> str:
    sealed = KeyWrapper(secret_key).seal_blob(SEALED_CONTEXT, msgspec.json.encode(mail))
    return base64.b64encode(sealed).decode()


def unseal(secret_key: str, sealed: str) -> SigninLinkMail:
    plain = KeyWrapper(secret_key).open_blob(SEALED_CONTEXT, base64.b64decode(sealed))
    return msgspec.json.decode(plain, type=SigninLinkMail)


class SigninLinkMailer:
    """Puts a sign-in link mail on the worker's queue, under the handler the wiring names."""

    def __init__(self, store: EventStore, handler: str, secret_key: str) -> None:
        self._store = store
        self._handler = handler
        self._secret_key = secret_key

    async def send(self, mail: SigninLinkMail) -> None:
        job = JobSpec(job_id=f"signin-link-{new_id()}", handler=self._handler, args=(seal(self._secret_key, mail),))
        await anyio.to_thread.run_sync(self._store.jobs.enqueue, [job])


class SigninLinkRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What asking for a sign-in link needs: the registries, the throttle and the mailer."""

    organisers: Organisers
    links: SigninLinks
    limiter: RateLimiter
    mailer: SigninLinkMailer
    settings: Settings

    async def ask(self, email: str, language: str = DEFAULT_LANGUAGE) -> None:
        """Mail a one-time link, in the language it was asked in, if the address is an
        organiser's and its quarter hour allows it; nothing tells the asker which happened."""
        hashed = email_hash(self.settings.secret_key, email)
        organiser = await self.organisers.find_by_email(hashed)
        if organiser is None:
            return
        limit = Limit(f"signin-link:{hashed}", self.settings.signin_links_per_address_quarter_hour)
        if await self.limiter.hit("signin-link", [limit], QUARTER_HOUR) is not None:
            return
        link = await self.new_link(organiser)
        minutes = max(1, self.settings.signin_link_seconds // 60)
        await self.mailer.send(
            SigninLinkMail(
                to=organiser.email,
                name=organiser.name,
                link=link,
                minutes=minutes,
                language=language_or_default(language),
            )
        )

    async def ask_quietly(self, email: str, language: str = DEFAULT_LANGUAGE) -> None:
        """`ask` after the answer went out: a malformed address gets nothing, and a failure is
        logged here, since nobody waits for it."""
        try:
            address = checked_email(email, "email")
        except Invalid:
            return
        try:
            await self.ask(address or "", language)
        except Exception:
            log.exception("sign-in link not sent")

    async def new_link(self, organiser: Organiser) -> str:
        """A fresh one-time sign-in link for the organiser (`knoten dev` prints one)."""
        link_id = secrets.token_urlsafe(32)
        await self.links.save(link_hash(self.settings, link_id), organiser.id, self.settings.signin_link_seconds)
        return Links(self.settings.base_url).signin_link(link_id)


def link_hash(settings: Settings, link_id: str) -> str:
    return keyed_hash(settings.secret_key, "signin-link", link_id)
