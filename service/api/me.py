"""A participant's own data: see and export everything held about them, or erase it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.application.links_again import LinksAgain
from service.application.network_people import erase_in_network, tombstone_of
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.views import PersonalData, personal_data
from service.schemas import LinkAgainIn
from service.security import derived_id, new_id
from service.settings import Settings


class LinkAgainAccepted(msgspec.Struct):
    status: str = "accepted"


class Erased(msgspec.Struct):
    erased: bool
    participant_id: str


def _me(principal: Principal | None) -> tuple[str, str]:
    assert principal is not None and principal.workshop_id and principal.participant_id
    return principal.workshop_id, principal.participant_id


@get("/api/me", opt={"access": Access.PARTICIPANT}, tags=["participants"])
async def get_me(
    service: NamedDependency[WorkshopService], principal: NamedDependency[Principal | None]
) -> PersonalData:
    """Every piece of data held about the participant whose token this is."""
    workshop_id, participant_id = _me(principal)
    return personal_data(await service.state(workshop_id), participant_id)


@delete("/api/me", opt={"access": Access.PARTICIPANT}, status_code=200, tags=["participants"])
async def erase_me(
    request: Request[Any, Any, Any],
    service: NamedDependency[WorkshopService],
    principal: NamedDependency[Principal | None],
    settings: NamedDependency[Settings],
) -> Response[Erased]:
    """Erase the participant: name, e-mail and organisation leave every view, digest, report
    and pending mail, in every meeting of the workshop's network; counts stay; the token stops
    working."""
    workshop_id, participant_id = _me(principal)
    tombstone = tombstone_of(settings.secret_key, workshop_id, participant_id)
    await erase_in_network(service, workshop_id, participant_id, tombstone)
    erase = c.ErasePerson(subject=participant_id, tombstone=tombstone)
    plan = service.command(erase, lambda _: (200, Erased(True, participant_id)))
    return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))


@post("/api/me/link", opt={"access": Access.PUBLIC}, status_code=202, tags=["participants"])
async def send_links_again(
    request: Request[Any, Any, Any],
    data: JSONBody[LinkAgainIn],
    links_again: NamedDependency[LinksAgain],
    settings: NamedDependency[Settings],
) -> Response[LinkAgainAccepted]:
    """A fresh personal link by mail for each workshop the address signed up in (at most 3 an
    hour). The answer is the same whether the address is known or not, and is sent before any
    of that is looked at."""
    idempotency = await idempotency_of(request)
    request_id = (
        new_id() if idempotency is None else derived_id(settings.secret_key, "link-again", ":".join(idempotency))
    )
    return Response(
        LinkAgainAccepted(), status_code=202, background=BackgroundTask(links_again.request, data.email, request_id)
    )
