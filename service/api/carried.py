"""Carried commitments: at the next meeting of a network, the open commitments of the earlier
ones, done, postponed or handed to someone else."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.api.auth import Access
from service.api.idempotency import idempotency_of, respond
from service.application.carried import CommandOf, carried, decide_carried
from service.application.inputs import person
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.carried import CarriedCommitment
from service.schemas import PostponeIn, ReassignIn
from service.security import new_id

CARRIED = "/{workshop_id:str}/carried-commitments"


class CarriedController(Controller):
    path = "/api/workshops"
    tags = ["network"]

    @get(CARRIED, opt={"access": Access.FACILITATOR})
    async def list_carried(
        self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> list[CarriedCommitment]:
        """The commitments still open from earlier meetings of the workshop's network."""
        return await carried(service, workshop_id)

    async def _decide(
        self, request: Request[Any, Any, Any], service: WorkshopService, wid: str, cid: str, command_of: CommandOf
    ) -> Response[CarriedCommitment]:
        return respond(await decide_carried(service, wid, cid, command_of, await idempotency_of(request)))

    @post(CARRIED + "/{commitment_id:str}/done", opt={"access": Access.FACILITATOR}, status_code=200)
    async def carried_done(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[CarriedCommitment]:
        """Done: it leaves the list (recorded where it was made)."""
        command = c.CompleteCommitment(commitment_id=commitment_id)
        return await self._decide(request, service, workshop_id, commitment_id, lambda _: command)

    @post(CARRIED + "/{commitment_id:str}/postpone", opt={"access": Access.FACILITATOR}, status_code=200)
    async def carried_postpone(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        data: JSONBody[PostponeIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[CarriedCommitment]:
        """A new due date: the reminder for the old one no longer goes out, one for the new one does."""
        command = c.PostponeCommitment(commitment_id=commitment_id, due=data.due)
        return await self._decide(request, service, workshop_id, commitment_id, lambda _: command)

    @post(CARRIED + "/{commitment_id:str}/reassign", opt={"access": Access.FACILITATOR}, status_code=200)
    async def carried_reassign(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        data: JSONBody[ReassignIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[CarriedCommitment]:
        """Someone else takes it over; their reminder goes to their address, if one is given."""
        owner = person(new_id(), data.owner_name, data.owner_email, None, "owner_email")
        command = c.HandOverCommitment(commitment_id=commitment_id, owner=owner)
        return await self._decide(request, service, workshop_id, commitment_id, lambda _: command)
