"""The barcamp: the grid of rooms and slots, proposals and interest, placement by hand and
automatically, and the public programme (also live, for phones and the projector)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.api.problems import BadInput
from service.api.stream import _feeds, _resume_position, live
from service.application.inputs import existing, person
from service.application.runner import Outcome, WorkshopService
from service.application.workshops import free_short_code
from service.domain import commands as c
from service.domain.events import GridRoom, GridSlot, ProposalMade
from service.domain.formats.barcamp import auto_placement, proposal_of
from service.domain.links import Links
from service.domain.programme import Programme, ProposalEntry, programme, proposal_entry
from service.domain.rules import decide
from service.domain.state import WorkshopState
from service.domain.views import PublicSession, public_session
from service.schemas import (
    AutoPlacedOut,
    GridIn,
    HandsIn,
    InterestOut,
    PlacedOut,
    PlaceIn,
    ProposalIn,
    StatusOut,
    UnplacedOut,
)
from service.security import new_id

PROPOSAL = "/{workshop_id:str}/proposals/{proposal_id:str}"
PROGRAMME_EVENTS = frozenset(
    {
        "grid_set",
        "proposal_made",
        "proposal_withdrawn",
        "interest_shown",
        "interest_withdrawn",
        "hands_counted",
        "proposal_placed",
        "proposal_unplaced",
        "session_planned",
        "session_cancelled",
        "session_opened",
        "session_closed",
        "signup_recorded",
        "signup_withdrawn",
        "waitlist_promoted",
        "person_erased",
        "workshop_closed",
    }
)
"""The events that change what the programme shows; the public stream names only their position."""


def _proposer(state: WorkshopState, proposal_id: str) -> tuple[str, ...]:
    """The person a reply about a proposal names: its stored copy goes with them."""
    proposal = state.proposals.get(proposal_id)
    if proposal is None:
        return ()
    named = proposal.proposer_id or (proposal.proposer.subject if proposal.proposer is not None else None)
    return (named,) if named else ()


def _proposal_reply(proposal_id: str, status: int = 200) -> Any:
    return lambda s: (status, proposal_entry(s, s.proposals[proposal_id]))


class BarcampController(Controller):
    path = "/api/workshops"
    tags = ["barcamp"]

    @put("/{workshop_id:str}/grid", opt={"access": Access.FACILITATOR}, status_code=200)
    async def set_grid(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[GridIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[dict[str, Any]]:
        """The rooms (with capacity) and time slots; placed sessions keep their cell and take its
        new times and capacity (people signed up are told). Removing a cell in use → 409."""
        command = c.SetGrid(
            rooms=tuple(GridRoom(name=r.name.strip(), capacity=r.capacity) for r in data.rooms),
            slots=tuple(GridSlot(starts_at=s.starts_at, ends_at=s.ends_at) for s in data.slots),
        )

        def render(state: WorkshopState) -> tuple[int, dict[str, Any]]:
            rooms = [{"name": r.name, "capacity": r.capacity} for r in state.rooms]
            slots = [{"index": i, "starts_at": s.starts_at, "ends_at": s.ends_at} for i, s in enumerate(state.slots)]
            return 200, {"rooms": rooms, "slots": slots}

        plan = service.command(command, render)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/proposals", opt={"access": Access.MEMBER}, status_code=201)
    async def make_proposal(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[ProposalIn],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[ProposalEntry]:
        """A pitch: a participant proposes as themselves; a facilitator may name the proposer by
        their sign-up (`proposer_signup_id`) or by typing their name (`proposer_name`: no sign-up
        needed; the name is sealed like anyone's and erased with them)."""
        participant = principal.participant_id if principal is not None and principal.kind == "participant" else None
        if participant is not None and (data.proposer_signup_id is not None or data.proposer_name is not None):
            raise PermissionDeniedException("Participants propose as themselves.")
        named = (data.proposer_name or "").strip()
        if data.proposer_name is not None and not named:
            raise BadInput("proposer_name", "a name, or leave it out")
        proposer = person(new_id(), named, None, None, "proposer_name") if named else None
        pid = new_id()
        description = (data.description or "").strip() or None
        command = c.MakeProposal(
            proposal_id=pid,
            title=data.title.strip(),
            description=description,
            proposer_id=participant,
            signup_id=data.proposer_signup_id,
            proposer=proposer,
        )

        def plan(state: WorkshopState) -> Outcome:
            events = decide(existing(state), command, service.clock.now())
            made = next((event for event in events if isinstance(event, ProposalMade)), None)
            subjects = [] if made is None else [made.proposer_id, made.proposer.subject if made.proposer else None]
            return Outcome(events, _proposal_reply(pid, 201), tuple(s for s in subjects if s))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete(PROPOSAL, opt={"access": Access.MEMBER}, status_code=200)
    async def withdraw_proposal(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[StatusOut]:
        """Withdraw a proposal not placed yet: a participant only their own (403 otherwise)."""

        def plan(state: WorkshopState) -> Outcome:
            proposal = proposal_of(existing(state), proposal_id)
            if (
                principal is not None
                and principal.kind == "participant"
                and principal.participant_id != proposal.proposer_id
            ):
                raise PermissionDeniedException("Participants may only withdraw their own proposals.")
            events = decide(state, c.WithdrawProposal(proposal_id=proposal_id), service.clock.now())
            return Outcome(events, lambda s: (200, StatusOut(status="withdrawn")))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(PROPOSAL + "/interest", opt={"access": Access.PARTICIPANT}, status_code=200)
    async def show_interest(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[InterestOut]:
        """I want to go there: once per person; again changes nothing."""
        return await _interest(request, service, principal, workshop_id, proposal_id, show=True)

    @delete(PROPOSAL + "/interest", opt={"access": Access.PARTICIPANT}, status_code=200)
    async def withdraw_interest(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[InterestOut]:
        """Not any more."""
        return await _interest(request, service, principal, workshop_id, proposal_id, show=False)

    @put(PROPOSAL + "/hands", opt={"access": Access.FACILITATOR}, status_code=200)
    async def count_hands(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        data: JSONBody[HandsIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[ProposalEntry]:
        """The hands raised at the pitch; the proposal's interest is the larger of hands and phones."""
        command = c.CountHands(proposal_id=proposal_id, count=data.count)
        plan = service.command(command, _proposal_reply(proposal_id), lambda s: _proposer(s, proposal_id))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(PROPOSAL + "/place", opt={"access": Access.FACILITATOR}, status_code=201)
    async def place(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        data: JSONBody[PlaceIn],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[PublicSession]:
        """Put a proposal into a room and slot: it becomes a barcamp session (host: the proposer).
        Placing it again moves it, and the people signed up are told. A taken cell, or the
        proposer in another room of the slot → 409."""
        command = c.PlaceProposal(
            proposal_id=proposal_id,
            room=data.room,
            slot=data.slot,
            session_id=new_id(),
            short_code=await free_short_code(service),
        )

        def render(state: WorkshopState) -> tuple[int, PublicSession]:
            session_id = state.proposals[proposal_id].session_id or ""
            return 201, public_session(state, state.sessions[session_id], links)

        plan = service.command(command, render, lambda s: _proposer(s, proposal_id))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete(PROPOSAL + "/place", opt={"access": Access.FACILITATOR}, status_code=200)
    async def unplace(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        proposal_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[ProposalEntry]:
        """Take a placed proposal out of the grid: it is "proposed" again, its session is
        cancelled and everyone signed up gets the cancellation (with the calendar's). Not in the
        grid, or its session closed → 409."""
        command = c.UnplaceProposal(proposal_id=proposal_id)
        plan = service.command(command, _proposal_reply(proposal_id), lambda s: _proposer(s, proposal_id))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/grid/auto", opt={"access": Access.FACILITATOR}, status_code=200)
    async def place_automatically(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[AutoPlacedOut]:
        """Place every proposal not placed yet (docs/barcamp.md): one per room and slot, no
        proposer twice in a slot, more interest in larger rooms, co-interest kept apart."""
        waiting = sum(
            1 for p in existing(await service.state(workshop_id)).proposals.values() if p.status == "proposed"
        )
        waiting += 5  # a few proposals may come in meanwhile
        codes = tuple([await free_short_code(service) for _ in range(waiting)])
        command = c.PlaceAutomatically(session_ids=tuple(new_id() for _ in range(waiting)), short_codes=codes)

        def plan(state: WorkshopState) -> Outcome:
            result = auto_placement(existing(state))
            events = decide(state, command, service.clock.now())
            out = AutoPlacedOut(
                placed=[PlacedOut(proposal_id=p.proposal_id, room=p.room, slot=p.slot) for p in result.placed],
                unplaced=[UnplacedOut(proposal_id=u.proposal_id, reason=u.reason) for u in result.unplaced],
            )
            return Outcome(events, lambda s: (200, out))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @get("/{workshop_id:str}/programme", opt={"access": Access.PUBLIC})
    async def get_programme(
        self,
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Programme:
        """The public programme: rooms, slots, sessions and proposals; names of hosts and
        proposers only, no addresses or organisations."""
        return programme(existing(await service.state(workshop_id)), links)

    @get("/{workshop_id:str}/programme/stream", opt={"access": Access.PUBLIC})
    async def programme_stream(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> ServerSentEvent:
        """Live for phones and the projector, without a token: `event: programme` with the log
        position each time the programme changes (nothing else); the page then reads it again."""
        after = _resume_position(request)
        version = existing(await service.state(workshop_id)).version
        events = live(service.store, _feeds(request), workshop_id, after, version)
        return ServerSentEvent(_programme_changes(events), headers={"Cache-Control": "no-store"})


async def _programme_changes(
    events: AsyncGenerator[ServerSentEventMessage, None],
) -> AsyncGenerator[ServerSentEventMessage, None]:
    async for message in events:
        if message.comment is not None:
            yield message
        elif PROGRAMME_EVENTS.intersection(getattr(message, "kinds", (message.event,))):
            position = str(getattr(message, "position", message.id))
            yield ServerSentEventMessage(data="{}", event="programme", id=position)


async def _interest(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    principal: Principal | None,
    workshop_id: str,
    proposal_id: str,
    show: bool,
) -> Response[InterestOut]:
    assert principal is not None and principal.participant_id is not None  # the route is for participants
    if principal.workshop_id != workshop_id:
        raise PermissionDeniedException("This token belongs to another workshop.")
    who = principal.participant_id
    command = (c.ShowInterest if show else c.WithdrawInterest)(proposal_id=proposal_id, participant_id=who)
    plan = service.command(command, lambda s: (200, InterestOut(interest=s.proposals[proposal_id].interest)))
    return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
