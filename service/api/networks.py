"""Networks: create and list (organiser); read (organiser, or a facilitator of one of its
workshops, who sees no contact details); member organisations and working groups (organiser)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody

from service.api.auth import NETWORK_SCOPED, Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.application.network_members import (
    add_member,
    change_group,
    change_member,
    form_group,
    group_subjects,
    member_subjects,
)
from service.application.networks import NetworkService, meetings, new_network_id
from service.application.runner import WorkshopService
from service.domain import network as n
from service.domain.errors import NotFound
from service.domain.network_views import (
    GroupSummary,
    GroupView,
    MemberView,
    NetworkListed,
    NetworkView,
    group_summary,
    group_view,
    member_view,
    network_listed,
    network_view,
)
from service.schemas import GroupIn, GroupPatch, MemberIn, MemberPatch, NetworkIn
from service.security import new_id
from service.settings import Settings


async def readable_network(
    networks: NetworkService, service: WorkshopService, principal: Principal | None, network_id: str
) -> tuple[n.NetworkState, bool]:
    """The network and whether the caller may see contact details: an organiser may; a
    facilitator only of one of its workshops, without them; anyone else is refused before the
    network is looked up (so the answer does not tell whether it exists)."""
    if principal is None or principal.kind != "organiser":
        workshop_id = principal.workshop_id if principal is not None and principal.kind == "facilitator" else None
        if workshop_id is None or (await service.state(workshop_id)).network_id != network_id:
            raise PermissionDeniedException("This token does not give the right to see this network.")
        return await networks.existing(network_id), False
    return await networks.existing(network_id), True


class NetworkController(Controller):
    path = "/api/networks"
    tags = ["networks"]

    @post("/", opt={"access": Access.ORGANISER}, status_code=201)
    async def create_network(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[NetworkIn],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
    ) -> Response[NetworkView]:
        """A network of workshops (its meetings), with its own log."""
        idempotency = await idempotency_of(request)
        nid = new_network_id(settings.secret_key, idempotency)
        command = n.CreateNetwork(
            network_id=nid,
            name=data.name.strip(),
            city=(data.city or "").strip() or None,
            description=(data.description or "").strip() or None,
        )
        return respond(
            await networks.execute(nid, lambda _: command, lambda s: (201, network_view(s, [], True)), idempotency)
        )

    @get("/", opt={"access": Access.ORGANISER, NETWORK_SCOPED: True})
    async def list_networks(
        self, networks: NamedDependency[NetworkService], principal: NamedDependency[Principal | None]
    ) -> list[NetworkListed]:
        """Every network, by name (a network coordinator's: theirs)."""
        only = principal.network_id if principal is not None else None
        states = [await networks.state(nid) for nid in await networks.ids() if only in {None, nid}]
        return sorted((network_listed(s) for s in states if s.exists), key=lambda s: s.name.casefold())

    @get("/{network_id:str}", opt={"access": Access.NETWORK})
    async def get_network(
        self,
        network_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> NetworkView:
        """The network with its workshops (oldest first), members and working groups."""
        state, contacts = await readable_network(networks, service, principal, network_id)
        return network_view(state, await meetings(service, network_id), contacts)

    @post("/{network_id:str}/members", opt={"access": Access.ORGANISER}, status_code=201)
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        data: JSONBody[MemberIn],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """An organisation of the cooperation agreement, with its role and contact person."""
        member_id = new_id()
        command = add_member(member_id, data)
        reply = await networks.execute(
            network_id,
            lambda _: command,
            lambda s: (201, _member(s, member_id)),
            await idempotency_of(request),
            lambda s: member_subjects(s, member_id),
        )
        return respond(reply)

    @patch("/{network_id:str}/members/{member_id:str}", opt={"access": Access.ORGANISER}, status_code=200)
    async def change_member(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        member_id: FromPath[str],
        data: JSONBody[MemberPatch],
        networks: NamedDependency[NetworkService],
    ) -> Response[Any]:
        """Change a member's organisation, role, agreement date or contact person (a contact
        person replaced or emptied is erased)."""
        reply = await networks.execute(
            network_id,
            lambda s: change_member(s, member_id, data),
            lambda s: (200, _member(s, member_id)),
            await idempotency_of(request),
            lambda s: member_subjects(s, member_id),
        )
        return respond(reply)

    @delete("/{network_id:str}/members/{member_id:str}", opt={"access": Access.ORGANISER}, status_code=200)
    async def remove_member(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        member_id: FromPath[str],
        networks: NamedDependency[NetworkService],
    ) -> Response[Any]:
        """The organisation leaves the network; its contact person's data is erased with it."""

        def plan(state: n.NetworkState) -> n.NetworkCommand:
            return n.RemoveMember(member_id=member_id)

        reply = await networks.execute(
            network_id, plan, lambda _: (200, {"id": member_id, "status": "removed"}), await idempotency_of(request)
        )
        return respond(reply)

    @post("/{network_id:str}/groups", opt={"access": Access.ORGANISER}, status_code=201)
    async def form_group(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        data: JSONBody[GroupIn],
        networks: NamedDependency[NetworkService],
    ) -> Response[Any]:
        """A working group under the network's roof; its patron gets the group's digest."""
        group_id = new_id()
        command = form_group(group_id, data)
        reply = await networks.execute(
            network_id,
            lambda _: command,
            lambda s: (201, _group(s, group_id)),
            await idempotency_of(request),
            lambda s: group_subjects(s, group_id),
        )
        return respond(reply)

    @patch("/{network_id:str}/groups/{group_id:str}", opt={"access": Access.ORGANISER}, status_code=200)
    async def change_group(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[GroupPatch],
        networks: NamedDependency[NetworkService],
    ) -> Response[Any]:
        """Change a working group's title or patron (a patron replaced or emptied is erased; the
        next digest of the group goes to the new one)."""
        reply = await networks.execute(
            network_id,
            lambda s: change_group(s, group_id, data),
            lambda s: (200, _group(s, group_id)),
            await idempotency_of(request),
            lambda s: group_subjects(s, group_id),
        )
        return respond(reply)

    @delete("/{network_id:str}/groups/{group_id:str}", opt={"access": Access.ORGANISER}, status_code=200)
    async def end_group(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        group_id: FromPath[str],
        networks: NamedDependency[NetworkService],
    ) -> Response[Any]:
        """The working group ends and its patron is erased; sessions that named it keep working
        and show no group."""
        reply = await networks.execute(
            network_id,
            lambda _: n.EndGroup(group_id=group_id),
            lambda _: (200, {"id": group_id, "status": "ended"}),
            await idempotency_of(request),
        )
        return respond(reply)

    @get("/{network_id:str}/groups/{group_id:str}", opt={"access": Access.NETWORK})
    async def get_group(
        self,
        network_id: FromPath[str],
        group_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> GroupView:
        """A working group: its people, the sessions it held across the network's meetings and
        its open commitments from all of them."""
        state, contacts = await readable_network(networks, service, principal, network_id)
        group = state.groups.get(group_id)
        if group is None:
            raise NotFound("working group", group_id)
        return group_view(group, await meetings(service, network_id), contacts)


def _member(state: n.NetworkState, member_id: str) -> MemberView:
    return member_view(state.members[member_id], True)


def _group(state: n.NetworkState, group_id: str) -> GroupSummary:
    return group_summary(state.groups[group_id], True)
