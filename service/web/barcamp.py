"""The barcamp's pages: the programme for phones (no account; "my sessions" from the device's
sign-ups), the grid for the projector, the pitch page where a signed-up participant proposes a
session and shows interest, and the facilitator's grid (tap a proposal, tap a cell)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect
from markupsafe import Markup

from service.api.auth import PARTICIPANT_COOKIE, Access, Credential, identify, participant_tokens
from service.api.problems import BadInput, bad_input
from service.application.inputs import existing
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.events import GridRoom, GridSlot
from service.domain.formats.barcamp import proposal_of
from service.domain.links import PAGES, Links
from service.domain.programme import Programme, ProgrammeSession, programme
from service.domain.state import WorkshopState
from service.domain.views import workshop_view
from service.i18n import N_, gettext, short_when
from service.schemas import GridIn, ProposalIn
from service.security import new_id
from service.web.commands import run
from service.web.rendering import language_of, page

WORKSHOP = "/w/{workshop_id:str}"


async def participants_here(request: Request[Any, Any, Any], workshop_id: str) -> list[str]:
    """The participants of this workshop whose valid token this device holds, newest first (a
    phone that signed up without an e-mail address is a new person each time)."""
    found = []
    for token in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE)):
        if not token.startswith("p." + workshop_id + "."):
            continue
        principal = await identify(Credential(token), request.app.state)
        if principal is not None and principal.kind == "participant" and principal.participant_id:
            found.append(principal.participant_id)
    return found


class Cell(msgspec.Struct, kw_only=True):
    room: str
    slot: int
    session: ProgrammeSession | None


def _grid(view: Programme) -> list[tuple[Any, list[Cell]]]:
    """Rows of the grid: each slot with its cell in every room."""
    placed = {(s.room, s.slot): s for s in view.sessions if s.slot is not None}
    return [
        (
            slot,
            [Cell(room=room.name, slot=slot.index, session=placed.get((room.name, slot.index))) for room in view.rooms],
        )
        for slot in view.slots
    ]


def _by_time(state: WorkshopState, view: Programme, language: str) -> list[tuple[str, list[ProgrammeSession]]]:
    """The sessions by their time, as a phone lists them: `11:00–11:45` on the workshop's day, the
    date too on another; sessions without a time last."""
    zone = ZoneInfo(state.timezone)
    first_day = state.starts_at.astimezone(zone).date() if state.starts_at else None
    grouped: dict[str, list[ProgrammeSession]] = {}
    for session in view.sessions:
        if session.starts_at is None:
            heading = gettext(language, N_("Any time"))
        else:
            start = session.starts_at.astimezone(zone)
            heading = (
                start.strftime("%H:%M") if start.date() == first_day else short_when(start, language, state.timezone)
            )
            if session.ends_at is not None:
                heading += "–" + session.ends_at.astimezone(zone).strftime("%H:%M")
        grouped.setdefault(heading, []).append(session)
    return list(grouped.items())


def _mine(state: WorkshopState, participants: list[str]) -> dict[str, str]:
    """The sessions the device's people are signed up to, with their place (confirmed or waitlisted)."""
    signups = (state.signups[s] for pid in participants for s in state.participants[pid].signups)
    return {s.session_id: s.status for s in signups if s.status != "withdrawn"}


def _stream(state: WorkshopState) -> str:
    return PAGES.programme_stream(state.id, state.version)


async def _programme_context(
    request: Request[Any, Any, Any], service: WorkshopService, links: Links, workshop_id: str
) -> dict[str, Any]:
    state = existing(await service.state(workshop_id))
    view = programme(state, links)
    participants = await participants_here(request, workshop_id)
    mine = _mine(state, participants)
    return {
        "workshop_id": workshop_id,
        "workshop_title": state.title,
        "location": state.location,
        "programme": view,
        "grid": _grid(view),
        "times": _by_time(state, view, language_of(request)),
        "mine": mine,
        "my_sessions": [s for s in view.sessions if s.id in mine],
        "participant": participants[0] if participants else None,
        "interested": {p.id for p in state.proposals.values() if p.interested & set(participants)},
        "own": {p.id for p in state.proposals.values() if p.proposer_id in participants},
        "stream": _stream(state),
        "live_stream": PAGES.programme_live(state.id),
        "version": state.version,
        "timezone": state.timezone,
    }


def _slot_line(line: str, day: date, zone: ZoneInfo) -> GridSlot:
    """`10:00-10:45` on the workshop's day."""
    start, _, end = line.replace("–", "-").partition("-")
    try:
        starts_at = datetime.combine(day, time.fromisoformat(start.strip()), zone)
        ends_at = datetime.combine(day, time.fromisoformat(end.strip()), zone)
    except ValueError as exc:
        raise BadInput("slots", "one slot a line, like 10:00-10:45") from exc
    return GridSlot(starts_at=starts_at, ends_at=ends_at)


def _room_line(line: str) -> dict[str, Any]:
    """`Saal: 40` (a room without a number holds 20)."""
    name, _, capacity = line.rpartition(":")
    if not name:
        name, capacity = capacity, "20"
    try:
        return {"name": name.strip(), "capacity": int(capacity.strip())}
    except ValueError as exc:
        raise BadInput("rooms", "one room a line, like Saal: 40") from exc


class BarcampPages(Controller):
    path = WORKSHOP
    tags = ["pages"]
    include_in_schema = False

    @get("/programme", opt={"access": Access.PUBLIC})
    async def programme_page(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The programme for phones: my sessions first, then every session by time; live."""
        context = await _programme_context(request, service, links, workshop_id)
        return page(request, "web/programme.html", **context)

    @get("/programme/panel", opt={"access": Access.PUBLIC})
    async def programme_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        context = await _programme_context(request, service, links, workshop_id)
        return page(request, "web/_programme.html", **context)

    @get("/programme/grid", opt={"access": Access.PUBLIC})
    async def grid_projector(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The grid for the projector: rooms × slots, large, live; a QR code to the programme."""
        context = await _programme_context(request, service, links, workshop_id)
        url = links.programme_page(workshop_id)
        qr = Markup(segno.make(url, error="m").svg_inline(scale=4, border=1))  # noqa: S704 - segno's SVG
        return page(request, "web/grid_projector.html", qr=qr, programme_url=url.split("://")[-1], **context)

    @get("/programme/grid/panel", opt={"access": Access.PUBLIC})
    async def grid_projector_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        context = await _programme_context(request, service, links, workshop_id)
        return page(request, "web/_grid_projector.html", **context)

    @get("/pitch", opt={"access": Access.PUBLIC})
    async def pitch_page(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """Propose a session and show interest in others: for people signed up to the day."""
        context = await _programme_context(request, service, links, workshop_id)
        return page(request, "web/pitch.html", form_key=secrets.token_urlsafe(16), **context)

    @get("/pitch/panel", opt={"access": Access.PUBLIC})
    async def pitch_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        context = await _programme_context(request, service, links, workshop_id)
        return page(request, "web/_pitch.html", **context)

    @post("/pitch", opt={"access": Access.PUBLIC}, status_code=303)
    async def pitch(
        self, request: Request[Any, Any, Any], workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> Redirect:
        participant = await _signed_up(request, workshop_id)
        form = await request.form()
        fields = {"title": str(form.get("title") or "").strip(), "description": str(form.get("description") or "")}
        try:
            data = msgspec.convert({k: v for k, v in fields.items() if v}, ProposalIn)
        except msgspec.ValidationError as exc:
            raise bad_input(exc) from exc
        description = (data.description or "").strip() or None
        command = c.MakeProposal(
            proposal_id=new_id(), title=data.title, description=description, proposer_id=participant
        )
        await run(service, workshop_id, command)
        return Redirect(PAGES.pitch(workshop_id), status_code=303)

    @post("/pitch/{proposal_id:str}/interest", opt={"access": Access.PUBLIC}, status_code=303)
    async def interest(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Redirect:
        """Tap "I'm interested" (or "not any more")."""
        participant = await _signed_up(request, workshop_id)
        if (await request.form()).get("want") == "yes":
            await run(service, workshop_id, c.ShowInterest(proposal_id=proposal_id, participant_id=participant))
        else:  # whichever of the device's people showed it
            for someone in await participants_here(request, workshop_id):
                await run(service, workshop_id, c.WithdrawInterest(proposal_id=proposal_id, participant_id=someone))
        return Redirect(PAGES.pitch(workshop_id), status_code=303)

    @post("/pitch/{proposal_id:str}/withdraw", opt={"access": Access.PUBLIC}, status_code=303)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Redirect:
        await _signed_up(request, workshop_id)
        proposer = proposal_of(existing(await service.state(workshop_id)), proposal_id).proposer_id
        if proposer not in await participants_here(request, workshop_id):
            raise PermissionDeniedException("Not your proposal.")
        await run(service, workshop_id, c.WithdrawProposal(proposal_id=proposal_id))
        return Redirect(PAGES.pitch(workshop_id), status_code=303)

    @get("/grid", opt={"access": Access.FACILITATOR})
    async def grid_console(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The facilitator's grid: rooms and slots, the proposals; tap one, tap a cell."""
        context = await _console_context(request, service, links, workshop_id)
        return page(request, "web/grid.html", **context)

    @get("/grid/panel", opt={"access": Access.FACILITATOR})
    async def grid_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        context = await _console_context(request, service, links, workshop_id)
        return page(request, "web/_grid.html", **context)

    @post("/grid", opt={"access": Access.FACILITATOR}, status_code=303)
    async def set_grid(
        self, request: Request[Any, Any, Any], workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> Redirect:
        """The grid typed as lines: rooms (`Saal: 40`), slots (`10:00-10:45`) on the workshop's day."""
        state = existing(await service.state(workshop_id))
        form = await request.form()
        zone = ZoneInfo(state.timezone)
        day = (state.starts_at or service.clock.now()).astimezone(zone).date()
        rooms = [_room_line(line) for line in str(form.get("rooms") or "").splitlines() if line.strip()]
        slots = [_slot_line(line, day, zone) for line in str(form.get("slots") or "").splitlines() if line.strip()]
        wire = {"rooms": rooms, "slots": [msgspec.to_builtins(s) for s in slots]}
        try:
            grid = msgspec.convert(wire, GridIn)
        except msgspec.ValidationError as exc:
            raise bad_input(exc) from exc
        command = c.SetGrid(
            rooms=tuple(GridRoom(name=r.name, capacity=r.capacity) for r in grid.rooms),
            slots=tuple(GridSlot(starts_at=s.starts_at, ends_at=s.ends_at) for s in grid.slots),
        )
        await run(service, workshop_id, command)
        return Redirect(PAGES.grid_console(workshop_id), status_code=303)


async def _signed_up(request: Request[Any, Any, Any], workshop_id: str) -> str:
    participants = await participants_here(request, workshop_id)
    if not participants:
        raise NotAuthorizedException("Sign up to the day first: the phone then knows you.")
    return participants[0]


async def _console_context(
    request: Request[Any, Any, Any], service: WorkshopService, links: Links, workshop_id: str
) -> dict[str, Any]:
    state = existing(await service.state(workshop_id))
    view = programme(state, links)
    zone = ZoneInfo(state.timezone)
    people: dict[str, tuple[str, str]] = {}  # participant → (a sign-up of theirs, their name)
    for signup in state.signups.values():
        if signup.status != "withdrawn" and signup.person.name and signup.participant_id not in people:
            people[signup.participant_id] = (signup.id, signup.person.name)
    arrivals = sorted(people.values(), key=lambda pair: pair[1])
    return {
        "workshop": workshop_view(state, links),
        "version": state.version,
        "section": "grid",
        "timezone": state.timezone,
        "programme": view,
        "grid": _grid(view),
        "waiting": [p for p in view.proposals if p.status == "proposed"],
        "arrivals": arrivals,
        "rooms_text": "\n".join(f"{r.name}: {r.capacity}" for r in state.rooms),
        "slots_text": "\n".join(
            f"{s.starts_at.astimezone(zone):%H:%M}-{s.ends_at.astimezone(zone):%H:%M}" for s in state.slots
        ),
    }
