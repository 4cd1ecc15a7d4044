"""Workshops: create, list and copy (organiser); read, change, close, new console links (facilitator)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody

from service.api.auth import NETWORK_SCOPED, Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.application.inputs import existing, organiser_subject
from service.application.networks import NetworkService, coordinated, known_network
from service.application.runner import WorkshopService
from service.application.workshops import (
    Secrets,
    change_command,
    copy_of,
    create_command,
    login_code_hash,
    new_secrets,
)
from service.domain import commands as c
from service.domain.links import Links
from service.domain.state import WorkshopState
from service.domain.views import WorkshopListed, WorkshopView, workshop_listed, workshop_view
from service.schemas import WorkshopCopyIn, WorkshopCreatedOut, WorkshopIn, WorkshopPatch
from service.security import derived_id, new_id, token_hash
from service.settings import Settings


class RotatedToken(msgspec.Struct):
    facilitator_token: str
    console_url: str
    report_url: str


def created_reply(wid: str, made: Secrets, links: Links) -> Callable[[WorkshopState], tuple[int, WorkshopCreatedOut]]:
    """The reply to a new workshop: the workshop, with its token and links, shown this once."""

    def render(state: WorkshopState) -> tuple[int, WorkshopCreatedOut]:
        return 201, WorkshopCreatedOut(
            **msgspec.structs.asdict(workshop_view(state, links)),
            facilitator_token=made.token,
            console_url=made.console_url(links, wid),
            report_url=made.report_url(links, wid),
        )

    return render


class WorkshopController(Controller):
    path = "/api/workshops"
    tags = ["workshops"]

    @get("/", opt={"access": Access.ORGANISER, NETWORK_SCOPED: True})
    async def list_workshops(
        self, service: NamedDependency[WorkshopService], principal: NamedDependency[Principal | None]
    ) -> list[WorkshopListed]:
        """Every workshop, newest first, with its status and how many sessions and sign-ups it has
        (a network coordinator's: their network's)."""
        ids = await anyio.to_thread.run_sync(service.store.workshops.ids)
        states = [await service.state(workshop_id) for workshop_id in ids]
        only = principal.network_id if principal is not None else None
        listed = [state for state in states if state.exists and (only is None or state.network_id == only)]
        listed.sort(key=lambda state: state.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [workshop_listed(state) for state in listed]

    @post("/", opt={"access": Access.ORGANISER, NETWORK_SCOPED: True}, status_code=201)
    async def create_workshop(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[WorkshopIn],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        principal: NamedDependency[Principal | None],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[WorkshopCreatedOut]:
        """Create a workshop; the reply holds the facilitator's token and sign-in links. A network
        coordinator's workshop is a meeting of their network."""
        data = coordinated(principal.network_id if principal is not None else None, data)
        await known_network(networks, data.network_id)
        idempotency = await idempotency_of(request)
        # A retried create must land on the same workshop, so its id follows from the key.
        wid = derived_id(settings.secret_key, "workshop", idempotency.key) if idempotency else new_id()
        made = new_secrets(wid)
        command = create_command(settings, wid, data, made)
        return respond(
            await service.execute(wid, service.command(command, created_reply(wid, made, links)), idempotency)
        )

    @patch("/{workshop_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def change_workshop(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[WorkshopPatch],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        principal: NamedDependency[Principal | None],
        links: NamedDependency[Links],
    ) -> Response[WorkshopView]:
        """Change any detail of the workshop (title, times, time zone, place, language, delays,
        the organisers' address); the change is an event, the reply the workshop. The reply shows
        the organisers' address, so its stored copy is erased with them."""

        def render(state: WorkshopState) -> tuple[int, WorkshopView]:
            return 200, workshop_view(state, links)

        if data.network_id is not None:
            if principal is None or principal.kind != "organiser":
                raise PermissionDeniedException("Only an organiser puts a workshop into a network.")
            if principal.network_id is not None and data.network_id != principal.network_id:
                raise PermissionDeniedException("A network coordinator's workshops stay in their network.")
            await known_network(networks, data.network_id or None)
        command = change_command(workshop_id, data)
        plan = service.command(command, render, lambda _: (organiser_subject(workshop_id),))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/copy", opt={"access": Access.ORGANISER}, status_code=201)
    async def copy_workshop(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[WorkshopCopyIn],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[WorkshopCreatedOut]:
        """A new workshop with this one's settings, sessions and intro slots, every time moved by
        the same offset of the local clock (18:00 stays 18:00 across summer time), and no people;
        with a facilitator token and console link of its own."""
        source = existing(await service.state(workshop_id))
        idempotency = await idempotency_of(request)
        wid = derived_id(settings.secret_key, "workshop", idempotency.key) if idempotency else new_id()
        made = new_secrets(wid)
        command = await copy_of(service, settings, source, wid, data, made)
        plan = service.command(command, created_reply(wid, made, links))
        return respond(await service.execute(wid, plan, idempotency))

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
        made = new_secrets(workshop_id)
        command = c.RotateFacilitatorToken(
            token_hash=token_hash(settings.secret_key, made.token), login_code_hash=login_code_hash(settings, made.code)
        )
        reply = RotatedToken(
            facilitator_token=made.token,
            console_url=made.console_url(links, workshop_id),
            report_url=made.report_url(links, workshop_id),
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
