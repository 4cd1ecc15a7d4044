"""Workshops: create (organiser), read and close (facilitator)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.api.auth import Access
from service.api.idempotency import idempotency_of, respond
from service.api.problems import BadInput
from service.application.inputs import checked_email, checked_timezone, existing, organiser, organiser_subject
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.links import Links
from service.domain.state import WorkshopState
from service.domain.views import WorkshopListed, WorkshopView, workshop_listed, workshop_view
from service.schemas import WorkshopCreatedOut, WorkshopIn
from service.security import derived_id, keyed_hash, new_id, new_token, token_hash
from service.settings import Settings


class RotatedToken(msgspec.Struct):
    facilitator_token: str
    console_url: str
    report_url: str


class WorkshopController(Controller):
    path = "/api/workshops"
    tags = ["workshops"]

    @get("/", opt={"access": Access.ORGANISER})
    async def list_workshops(self, service: NamedDependency[WorkshopService]) -> list[WorkshopListed]:
        """Every workshop, newest first, with its status and how many sessions and sign-ups it has."""
        ids = await anyio.to_thread.run_sync(service.store.workshops.ids)
        states = [await service.state(workshop_id) for workshop_id in ids]
        listed = [state for state in states if state.exists]
        listed.sort(key=lambda state: state.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [workshop_listed(state) for state in listed]

    @post("/", opt={"access": Access.ORGANISER}, status_code=201)
    async def create_workshop(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[WorkshopIn],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[WorkshopCreatedOut]:
        """Create a workshop; the reply holds the facilitator's token and sign-in links."""
        for name in ("follow_up_after", "intro_deadline", "digest_wait"):
            if getattr(data, name).total_seconds() <= 0:
                raise BadInput(name, "must be a positive duration")
        idempotency = await idempotency_of(request)
        # A retried create must land on the same workshop, so its id follows from the key.
        wid = derived_id(settings.secret_key, "workshop", idempotency.key) if idempotency else new_id()
        token = new_token("f", wid)
        code = secrets.token_urlsafe(18)
        command = c.CreateWorkshop(
            workshop_id=wid,
            title=data.title.strip(),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            timezone=checked_timezone(data.timezone),
            location=data.location,
            language=data.language,
            follow_up_after=data.follow_up_after,
            intro_deadline=data.intro_deadline,
            digest_wait=data.digest_wait,
            organiser=organiser(wid, checked_email(data.organiser_email, "organiser_email")),
            facilitator_token_hash=token_hash(settings.secret_key, token),
            login_code_hash=keyed_hash(settings.secret_key, "login", code),
        )

        def render(state: WorkshopState) -> tuple[int, WorkshopCreatedOut]:
            return 201, WorkshopCreatedOut(
                **msgspec.structs.asdict(workshop_view(state, links)),
                facilitator_token=token,
                console_url=links.console(wid, code),
                report_url=links.report(wid, code),
            )

        return respond(await service.execute(wid, service.command(command, render), idempotency))

    @get("/{workshop_id:str}", opt={"access": Access.FACILITATOR})
    async def get_workshop(
        self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService], links: NamedDependency[Links]
    ) -> WorkshopView:
        """The workshop with its sessions and their counts."""
        return workshop_view(existing(await service.state(workshop_id)), links)

    @post("/{workshop_id:str}/facilitator-token", opt={"access": Access.FACILITATOR}, status_code=200)
    async def rotate_facilitator_token(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[RotatedToken]:
        """A new facilitator token and console link; every earlier token, console link and
        signed-in device of this workshop stops working."""
        token = new_token("f", workshop_id)
        code = secrets.token_urlsafe(18)
        command = c.RotateFacilitatorToken(
            token_hash=token_hash(settings.secret_key, token),
            login_code_hash=keyed_hash(settings.secret_key, "login", code),
        )
        reply = RotatedToken(
            facilitator_token=token,
            console_url=links.console(workshop_id, code),
            report_url=links.report(workshop_id, code),
        )
        plan = service.command(command, lambda _: (200, reply))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/close", opt={"access": Access.FACILITATOR}, status_code=200)
    async def close_workshop(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[WorkshopView]:
        """Close every open session and the workshop itself. The reply shows the organisers'
        address, so its stored copy is erased with them."""

        def render(state: WorkshopState) -> tuple[int, WorkshopView]:
            return 200, workshop_view(state, links)

        plan = service.command(c.CloseWorkshop(), render, lambda _: (organiser_subject(workshop_id),))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
