"""Workshops made, changed and copied: the commands the API and the organiser's pages ask for,
with the new secrets only their reply shows (a facilitator token and a console link's code)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import NamedTuple

from service.application.inputs import checked_email, checked_timezone, organiser
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.copies import Fresh, copy_command
from service.domain.errors import Invalid
from service.domain.links import Links
from service.domain.state import WorkshopState
from service.schemas import WorkshopCopyIn, WorkshopIn, WorkshopPatch
from service.security import keyed_hash, new_id, new_short_code, new_table_code, new_token, token_hash
from service.settings import Settings


class Secrets(NamedTuple):
    """A workshop's new facilitator token and console login code, as only their reply shows them."""

    token: str
    code: str

    def console_url(self, links: Links, workshop_id: str) -> str:
        return links.console(workshop_id, self.code)

    def report_url(self, links: Links, workshop_id: str) -> str:
        return links.report(workshop_id, self.code)


def new_secrets(workshop_id: str) -> Secrets:
    return Secrets(new_token("f", workshop_id), secrets.token_urlsafe(18))


def login_code_hash(settings: Settings, code: str) -> str:
    return keyed_hash(settings.secret_key, "login", code)


def _positive(name: str, value: timedelta | None) -> None:
    if value is not None and value.total_seconds() <= 0:
        raise Invalid(name, "must be a positive duration")


def create_command(settings: Settings, workshop_id: str, data: WorkshopIn, made: Secrets) -> c.CreateWorkshop:
    """The command a create body asks for (the API's and the organiser's form alike)."""
    _positive("follow_up_after", data.follow_up_after)
    _positive("intro_deadline", data.intro_deadline)
    _positive("digest_wait", data.digest_wait)
    return c.CreateWorkshop(
        workshop_id=workshop_id,
        title=data.title.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        timezone=checked_timezone(data.timezone),
        location=data.location,
        language=data.language,
        follow_up_after=data.follow_up_after,
        intro_deadline=data.intro_deadline,
        digest_wait=data.digest_wait,
        organiser=organiser(workshop_id, checked_email(data.organiser_email, "organiser_email")),
        facilitator_token_hash=token_hash(settings.secret_key, made.token),
        login_code_hash=login_code_hash(settings, made.code),
        network_id=data.network_id,
    )


def change_command(workshop_id: str, data: WorkshopPatch) -> c.ChangeWorkshop:
    """The command a change asks for; the rules then keep only what differs."""
    _positive("follow_up_after", data.follow_up_after)
    _positive("intro_deadline", data.intro_deadline)
    _positive("digest_wait", data.digest_wait)
    return c.ChangeWorkshop(
        title=data.title.strip() if data.title is not None else None,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        timezone=checked_timezone(data.timezone) if data.timezone is not None else None,
        location=data.location.strip() if data.location is not None else None,
        language=data.language,
        follow_up_after=data.follow_up_after,
        intro_deadline=data.intro_deadline,
        digest_wait=data.digest_wait,
        organiser=organiser(workshop_id, checked_email(data.organiser_email, "organiser_email")),
        network_id=data.network_id,
    )


async def free_short_code(service: WorkshopService) -> str:
    """A code no planned session has taken (its index key is written with the session, first come)."""
    code = new_short_code()
    while await service.store.short_link(code) is not None:
        code = new_short_code()
    return code


async def copy_of(
    service: WorkshopService,
    settings: Settings,
    source: WorkshopState,
    workshop_id: str,
    data: WorkshopCopyIn,
    made: Secrets,
) -> c.CopyWorkshop:
    """The command that makes `workshop_id` a copy of `source` (see domain/copies.py): the
    organisers' address comes along, each session gets a short code of its own."""
    create = c.CreateWorkshop(
        workshop_id=workshop_id,
        title=data.title.strip(),
        starts_at=data.starts_at,
        ends_at=data.starts_at,  # the copy's end follows from the source's, shifted
        organiser=organiser(workshop_id, source.organiser_email),  # None once erased
        facilitator_token_hash=token_hash(settings.secret_key, made.token),
        login_code_hash=login_code_hash(settings, made.code),
    )
    codes = [await free_short_code(service) for _ in source.sessions]
    return copy_command(source, Fresh(create, new_id, iter(codes), new_table_code))
