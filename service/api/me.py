"""A participant's own data: see and export everything held about them, or erase it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, delete, get
from litestar.di import NamedDependency

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.views import PersonalData, personal_data


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
) -> Response[Erased]:
    """Erase the participant: name, e-mail and organisation leave every view, digest, report
    and pending mail; counts stay; the token stops working."""
    workshop_id, participant_id = _me(principal)
    plan = service.command(c.ErasePerson(subject=participant_id), lambda _: (200, Erased(True, participant_id)))
    return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
