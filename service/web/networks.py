"""The network's page for an organiser: its meetings, its member organisations with who came to
which meeting and who has not come for a year, its working groups; forms for a new network, a
member and a group."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from service.api.auth import Access
from service.api.problems import bad_input
from service.application.inputs import existing
from service.application.network_members import add_member, change_group, change_member, form_group
from service.application.network_reports import decoded
from service.application.networks import NetworkService, meetings, new_network_id
from service.application.runner import WorkshopService
from service.domain import network as n
from service.domain.errors import NotFound
from service.domain.events import Person
from service.domain.links import PAGES, Links
from service.domain.network_views import group_view
from service.domain.state import WorkshopState
from service.domain.views import shown_status, workshop_view
from service.i18n import short_when
from service.schemas import GroupIn, GroupPatch, MemberIn, MemberPatch, NetworkIn
from service.security import new_id
from service.settings import Settings
from service.web.facilitator import WORKSHOP
from service.web.rendering import language_of, page


class MemberRow(NamedTuple):
    id: str
    organisation: str
    role: str
    agreement_signed_at: date | None
    contact_name: str | None
    contact_email: str | None
    came_to: frozenset[str]
    away: bool


def _form(form: dict[str, Any], kind: type[msgspec.Struct]) -> Any:
    """Form fields (empty ones left out) as the API's body type."""
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str) and v.strip() and k != "_csrf_token"}
    return _convert(fields, kind)


class NetworkPages(Controller):
    path = "/admin/networks"
    tags = ["pages"]
    include_in_schema = False

    @post("/", opt={"access": Access.ORGANISER}, status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """The "new network" form: creates it and lands on its page."""
        data: NetworkIn = _form(dict(await request.form()), NetworkIn)
        nid = new_network_id(settings.secret_key, None)
        command = n.CreateNetwork(network_id=nid, name=data.name, city=data.city, description=data.description)
        await networks.execute(nid, lambda _: command, lambda _: (201, None), None)
        return Redirect(PAGES.admin_network(nid, done="created"), status_code=303)

    @get("/{network_id:str}", opt={"access": Access.ORGANISER})
    async def network(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
    ) -> Response[str]:
        """The network: its meetings, its members and who came, its working groups."""
        state = await networks.existing(network_id)
        return await _network_page(request, service, state, None, links=None)

    @get("/{network_id:str}/groups/{group_id:str}", opt={"access": Access.ORGANISER})
    async def group(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        group_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
    ) -> Response[str]:
        """A working group: its members, the sessions it held, its open commitments across meetings."""
        state = await networks.existing(network_id)
        return await _group_page(request, service, state, group_id, None, links=None)

    @post("/{network_id:str}/members", opt={"access": Access.ORGANISER}, status_code=303)
    async def add_member(
        self, request: Request[Any, Any, Any], network_id: FromPath[str], networks: NamedDependency[NetworkService]
    ) -> Redirect:
        """The "new member" form."""
        data: MemberIn = _form(dict(await request.form()), MemberIn)
        command = add_member(new_id(), data)
        await networks.execute(network_id, lambda _: command, lambda _: (201, None), None)
        return Redirect(PAGES.admin_network(network_id, done="member"), status_code=303)

    @post("/{network_id:str}/groups", opt={"access": Access.ORGANISER}, status_code=303)
    async def form_group(
        self, request: Request[Any, Any, Any], network_id: FromPath[str], networks: NamedDependency[NetworkService]
    ) -> Redirect:
        """The "new working group" form."""
        data: GroupIn = _form(dict(await request.form()), GroupIn)
        command = form_group(new_id(), data)
        await networks.execute(network_id, lambda _: command, lambda _: (201, None), None)
        return Redirect(PAGES.admin_network(network_id, done="group"), status_code=303)

    @get("/{network_id:str}/members/{member_id:str}", opt={"access": Access.ORGANISER})
    async def member(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        member_id: FromPath[str],
        networks: NamedDependency[NetworkService],
    ) -> Response[str]:
        """A member organisation: its details in a form to change them, and a way to remove it."""
        state = await networks.existing(network_id)
        member = _member_of(state, member_id)
        contact = _living(member.contact)
        return page(
            request,
            "web/network_member.html",
            network=state,
            member=member,
            contact_name=contact.name if contact else "",
            contact_email=contact.email if contact else "",
            done=request.query_params.get("done"),
        )

    @post("/{network_id:str}/members/{member_id:str}/edit", opt={"access": Access.ORGANISER}, status_code=303)
    async def edit_member(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        member_id: FromPath[str],
        networks: NamedDependency[NetworkService],
    ) -> Redirect:
        """The member's form: what differs from what is kept is changed; a contact field emptied
        empties it (a contact person left with neither name nor address is erased)."""
        state = await networks.existing(network_id)
        member = _member_of(state, member_id)
        form = dict(await request.form())
        contact = _living(member.contact)
        fields: dict[str, Any] = {
            k: v.strip() for k in ("organisation", "role", "agreement_signed_at") if (v := _text(form, k))
        }
        fields |= _changed_person(form, "contact_name", "contact_email", contact)
        data: MemberPatch = _convert(fields, MemberPatch)
        await networks.execute(network_id, lambda s: change_member(s, member_id, data), lambda _: (200, None), None)
        return Redirect(PAGES.admin_network_member(network_id, member_id, done="changed"), status_code=303)

    @post("/{network_id:str}/members/{member_id:str}/remove", opt={"access": Access.ORGANISER}, status_code=303)
    async def remove_member(
        self, network_id: FromPath[str], member_id: FromPath[str], networks: NamedDependency[NetworkService]
    ) -> Redirect:
        """The member leaves the network; its contact person's data is erased with it."""
        _member_of(await networks.existing(network_id), member_id)
        await networks.execute(network_id, lambda _: n.RemoveMember(member_id=member_id), lambda _: (200, None), None)
        return Redirect(PAGES.admin_network(network_id, done="member_removed"), status_code=303)

    @post("/{network_id:str}/groups/{group_id:str}/edit", opt={"access": Access.ORGANISER}, status_code=303)
    async def edit_group(
        self,
        request: Request[Any, Any, Any],
        network_id: FromPath[str],
        group_id: FromPath[str],
        networks: NamedDependency[NetworkService],
    ) -> Redirect:
        """The group's form: its title, and its patron where changed (emptied: erased)."""
        state = await networks.existing(network_id)
        group = state.groups.get(group_id)
        if group is None:
            raise NotFound("group", group_id)
        form = dict(await request.form())
        fields: dict[str, Any] = {"title": _text(form, "title")}
        fields |= _changed_person(form, "patron_name", "patron_email", _living(group.patron))
        data: GroupPatch = _convert(fields, GroupPatch)
        await networks.execute(network_id, lambda s: change_group(s, group_id, data), lambda _: (200, None), None)
        return Redirect(PAGES.admin_network_group(network_id, group_id, done="changed"), status_code=303)

    @post("/{network_id:str}/groups/{group_id:str}/end", opt={"access": Access.ORGANISER}, status_code=303)
    async def end_group(
        self, network_id: FromPath[str], group_id: FromPath[str], networks: NamedDependency[NetworkService]
    ) -> Redirect:
        """The group ends; its patron is erased; its sessions keep working without a group."""
        if group_id not in (await networks.existing(network_id)).groups:
            raise NotFound("group", group_id)
        await networks.execute(network_id, lambda _: n.EndGroup(group_id=group_id), lambda _: (200, None), None)
        return Redirect(PAGES.admin_network(network_id, done="group_ended"), status_code=303)


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _living(person: Person | None) -> Person | None:
    return None if person is None or person.erased else person


def _changed_person(form: dict[str, Any], name_field: str, email_field: str, before: Person | None) -> dict[str, Any]:
    """The fields of a contact person or patron that the form changed (an emptied one: None)."""
    kept = {name_field: (before.name if before else None) or "", email_field: (before.email if before else None) or ""}
    return {field: _text(form, field) or None for field in kept if _text(form, field) != kept[field]}


def _convert(fields: dict[str, Any], kind: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.convert(fields, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise bad_input(exc) from exc


def _member_of(state: n.NetworkState, member_id: str) -> n.MemberState:
    member = state.members.get(member_id)
    if member is None or member.removed:
        raise NotFound("member", member_id)
    return member


class NetworkConsolePages(Controller):
    """The network of a workshop for its facilitator, linked from the console: the same page as
    the organiser's, without contact details and without the forms."""

    path = f"{WORKSHOP}/network"
    tags = ["pages"]
    include_in_schema = False

    @get("/", opt={"access": Access.FACILITATOR})
    async def network(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The network the workshop is a meeting of."""
        workshop, state = await _network_of(networks, service, workshop_id)
        return await _network_page(request, service, state, workshop, links)

    @get("/groups/{group_id:str}", opt={"access": Access.FACILITATOR})
    async def group(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        group_id: FromPath[str],
        networks: NamedDependency[NetworkService],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """A working group of the workshop's network."""
        workshop, state = await _network_of(networks, service, workshop_id)
        return await _group_page(request, service, state, group_id, workshop, links)


async def _network_of(
    networks: NetworkService, service: WorkshopService, workshop_id: str
) -> tuple[WorkshopState, n.NetworkState]:
    workshop = existing(await service.state(workshop_id))
    if workshop.network_id is None:
        raise NotFound("network", workshop_id)
    return workshop, await networks.existing(workshop.network_id)


def _console_context(workshop: WorkshopState | None, links: Links | None) -> dict[str, Any]:
    """What the facilitator's frame needs (None: the organiser's page)."""
    if workshop is None or links is None:
        return {"layout": "web/base.html", "contacts": True}
    return {
        "layout": "web/_facilitator_base.html",
        "contacts": False,
        "workshop": workshop_view(workshop, links),
        "version": workshop.version,
        "section": "network",
        "timezone": workshop.timezone,
    }


async def _network_page(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    state: n.NetworkState,
    workshop: WorkshopState | None,
    links: Links | None,
) -> Response[str]:
    """The network's page: for the organiser (`workshop` None) with contacts and forms, for a
    facilitator of one of its meetings without them."""
    held = await meetings(service, state.id)
    language = language_of(request)
    records = decoded(await service.store.projections.records_async(state.id))
    attendance = n.member_attendance(state, held, {r.workshop_id: r.members_present for r in records})
    away = set(n.away_for_a_year(state, attendance, service.clock.now()))
    context = _console_context(workshop, links)
    rows = []
    for entry in attendance:
        member = state.members[entry.member_id]
        contact = member.contact if context["contacts"] else None
        rows.append(
            MemberRow(
                id=member.id,
                organisation=member.organisation,
                role=member.role,
                agreement_signed_at=member.agreement_signed_at,
                contact_name=contact.name if contact is not None else None,
                contact_email=contact.email if contact is not None else None,
                came_to=frozenset(entry.came_to),
                away=member.id in away,
            )
        )
    return page(
        request,
        "web/network.html",
        network=state,
        meetings=[
            (w, short_when(w.starts_at, language, w.timezone), shown_status(w, service.clock.now()), _came(w))
            for w in held
        ],
        members=rows,
        away=[r for r in rows if r.away],
        groups=[group_view(g, held, context["contacts"]) for g in state.groups.values()],
        done=request.query_params.get("done"),
        **context,
    )


async def _group_page(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    state: n.NetworkState,
    group_id: str,
    workshop: WorkshopState | None,
    links: Links | None,
) -> Response[str]:
    group = state.groups.get(group_id)
    if group is None:
        raise NotFound("group", group_id)
    held = await meetings(service, state.id)
    context = _console_context(workshop, links)
    language = language_of(request)
    titles = {w.id: w.title for w in held}
    zones = {w.id: w.timezone for w in held}
    view = group_view(group, held, context["contacts"])
    return page(
        request,
        "web/group.html",
        network=state,
        group=view,
        sessions=[
            (s, short_when(s.starts_at, language, zones[s.workshop_id]) if s.starts_at else "–") for s in view.sessions
        ],
        commitments=[(c, titles.get(c.workshop_id, "")) for c in view.commitments],
        done=request.query_params.get("done"),
        **context,
    )


class HomeNetwork(NamedTuple):
    """A network on the organiser's home: its meetings and the last one, to copy for the next."""

    id: str
    name: str
    meetings: list[tuple[str, str, str]]  # id, title, when
    last_id: str | None
    next_day: str


async def home_networks(networks: NetworkService, service: WorkshopService, language: str) -> list[HomeNetwork]:
    """Every network with its meetings, oldest first, for the organiser's home."""
    found = []
    ids = await anyio.to_thread.run_sync(service.store.workshops.ids)
    workshops = [await service.state(wid) for wid in ids]
    for nid in await networks.ids():
        state = await networks.state(nid)
        if not state.exists:
            continue
        held = n.meetings_of(nid, workshops)
        last = held[-1] if held else None
        found.append(
            HomeNetwork(
                id=nid,
                name=state.name,
                meetings=[(w.id, w.title, short_when(w.starts_at, language, w.timezone)) for w in held],
                last_id=last.id if last is not None else None,
                next_day=_next_day(last),
            )
        )
    return sorted(found, key=lambda h: h.name.casefold())


def _next_day(last: WorkshopState | None) -> str:
    """The copy form's suggestion for the next meeting: four months after the last one."""
    if last is None or last.starts_at is None:
        return ""
    return (last.starts_at.astimezone(ZoneInfo(last.timezone)).date() + timedelta(days=120)).isoformat()


def _came(workshop: WorkshopState) -> int:
    """How many people came to a meeting (present at one of its sessions), each once."""
    return len({s.participant_id for s in workshop.signups.values() if n.was_present(workshop, s)})
