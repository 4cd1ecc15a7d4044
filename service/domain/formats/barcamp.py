"""Barcamp: the session grid built live. The facilitator sets rooms (with capacity) and time
slots; participants pitch proposals from their phones (or the facilitator enters them for
someone) and show interest, the room's hands are counted; each proposal is placed into a cell by
hand or automatically (`service.domain.placement`) and becomes a barcamp session whose host is
the proposer, as a person: named through their participant, so erased with them.

`decide` and the evolvers of the barcamp's commands and events live here; `rules.decide` and
`rules.evolve` hand them over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from service.domain import commands as c
from service.domain import events as e
from service.domain import placement
from service.domain.errors import Conflict, Invalid, NotFound
from service.domain.formats.base import N_, SessionFormat
from service.domain.state import ProposalState, SessionState, WorkshopState

FORMAT = SessionFormat(name="barcamp", label=N_("Barcamp session"))

BARCAMP_COMMANDS = (
    c.SetGrid
    | c.MakeProposal
    | c.WithdrawProposal
    | c.ShowInterest
    | c.WithdrawInterest
    | c.CountHands
    | c.PlaceProposal
    | c.UnplaceProposal
    | c.PlaceAutomatically
)
MAX_HANDS = 100_000

# ---------------------------------------------------------------------------- lookups


def proposal_of(state: WorkshopState, proposal_id: str) -> ProposalState:
    """A proposal that was not withdrawn."""
    proposal = state.proposals.get(proposal_id)
    if proposal is None or proposal.status == "withdrawn":
        raise NotFound("proposal", proposal_id)
    return proposal


def proposer_name(state: WorkshopState, proposal: ProposalState) -> str | None:
    """The proposer's name as the workshop knows it now (None once they are erased)."""
    if proposal.proposer is not None:
        return proposal.proposer.name
    participant = state.participants.get(proposal.proposer_id or "")
    return participant.person.name if participant is not None else None


def proposer_key(proposal: ProposalState) -> str | None:
    """Who proposed it, for "no proposer in two rooms of one slot": the participant, or the
    person the facilitator named."""
    return proposal.proposer_id or (proposal.proposer.subject if proposal.proposer is not None else None)


def host_of(state: WorkshopState, session: SessionState) -> str | None:
    """A session's host: the proposer of a placed proposal (by reference), else the typed host."""
    if session.proposal_id is not None:
        return proposer_name(state, state.proposals[session.proposal_id])
    return session.host


def room_index(state: WorkshopState, name: str) -> int:
    for index, room in enumerate(state.rooms):
        if room.name == name:
            return index
    raise Invalid("room", f"no room {name!r} in the grid")


def placed(state: WorkshopState) -> list[ProposalState]:
    return [p for p in state.proposals.values() if p.status == "placed"]


# ---------------------------------------------------------------------------- decide


def decide(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:
    """The events of a barcamp command (the workshop exists and is not closed)."""
    match command:
        case c.SetGrid():
            return _set_grid(state, command, now)
        case c.MakeProposal():
            return _make_proposal(state, command, now)
        case c.WithdrawProposal(proposal_id=pid):
            if proposal_of(state, pid).status == "placed":
                raise Conflict("The proposal is in the grid already; its session stays.")
            return [e.ProposalWithdrawn(at=now, proposal_id=pid)]
        case c.ShowInterest(proposal_id=pid, participant_id=who):
            _participant(state, who)
            return (
                []
                if who in proposal_of(state, pid).interested
                else [e.InterestShown(at=now, proposal_id=pid, participant_id=who)]
            )
        case c.WithdrawInterest(proposal_id=pid, participant_id=who):
            _participant(state, who)
            return (
                [e.InterestWithdrawn(at=now, proposal_id=pid, participant_id=who)]
                if who in proposal_of(state, pid).interested
                else []
            )
        case c.CountHands(proposal_id=pid, count=count):
            if not 0 <= count <= MAX_HANDS:
                raise Invalid("count", f"from 0 to {MAX_HANDS}")
            return (
                [] if proposal_of(state, pid).hands == count else [e.HandsCounted(at=now, proposal_id=pid, count=count)]
            )
        case c.PlaceProposal():
            return _place(state, command, now)
        case c.UnplaceProposal(proposal_id=pid):
            return _unplace(state, pid, now)
        case c.PlaceAutomatically():
            return _place_automatically(state, command, now)
    raise TypeError(f"not a barcamp command: {type(command).__name__}")


def _participant(state: WorkshopState, participant_id: str) -> None:
    if participant_id not in state.participants:
        raise NotFound("participant", participant_id)


def _set_grid(state: WorkshopState, command: c.SetGrid, now: datetime) -> list[e.Event]:
    names = [room.name for room in command.rooms]
    if len(set(names)) != len(names):
        raise Invalid("rooms", "each room needs a name of its own")
    for slot in command.slots:
        if slot.ends_at <= slot.starts_at:
            raise Invalid("slots", "a slot ends after it starts")
    grid = e.GridSet(at=now, rooms=command.rooms, slots=command.slots)
    moved: list[e.Event] = []
    for proposal in placed(state):
        assert proposal.room is not None and proposal.slot is not None
        if proposal.room not in names or proposal.slot >= len(command.slots):
            raise Conflict(f"{proposal.title!r} is placed in {proposal.room!r}, slot {proposal.slot}: keep that cell.")
        room = command.rooms[names.index(proposal.room)]
        slot = command.slots[proposal.slot]
        session = state.sessions[proposal.session_id or ""]
        if (session.starts_at, session.ends_at, session.capacity) != (slot.starts_at, slot.ends_at, room.capacity):
            moved += _cell_events(state, proposal, session, room, proposal.slot, slot, now)
    return [grid, *moved]


def _make_proposal(state: WorkshopState, command: c.MakeProposal, now: datetime) -> list[e.Event]:
    proposer = command.proposer_id
    if command.proposer is not None and (command.signup_id is not None or proposer is not None):
        raise Invalid("proposer_name", "either a sign-up or a name, not both")
    if command.signup_id is not None:
        signup = state.signups.get(command.signup_id)
        if signup is None:
            raise NotFound("sign-up", command.signup_id)
        proposer = signup.participant_id
    elif proposer is not None:
        _participant(state, proposer)
    return [
        e.ProposalMade(
            at=now,
            proposal_id=command.proposal_id,
            title=command.title,
            description=command.description,
            proposer_id=proposer,
            signup_id=command.signup_id,
            proposer=command.proposer,
        )
    ]


def _free_cell(state: WorkshopState, proposal: ProposalState, room: str, slot: int) -> None:
    """409 when the cell holds another session, or the proposer has another session in the slot."""
    for other in placed(state):
        if other.id == proposal.id or other.slot != slot:
            continue
        if other.room == room:
            raise Conflict(f"{room!r} in slot {slot} holds {other.title!r} already.")
        if proposer_key(proposal) is not None and proposer_key(other) == proposer_key(proposal):
            raise Conflict(f"The proposer has {other.title!r} in {other.room!r} in slot {slot} already.")


def _place(state: WorkshopState, command: c.PlaceProposal, now: datetime) -> list[e.Event]:
    proposal = proposal_of(state, command.proposal_id)
    if not state.rooms or not state.slots:
        raise Conflict("Set the grid's rooms and slots first.")
    room = state.rooms[room_index(state, command.room)]
    if not 0 <= command.slot < len(state.slots):
        raise Invalid("slot", f"from 0 to {len(state.slots) - 1}")
    if proposal.room == command.room and proposal.slot == command.slot:
        return []
    _free_cell(state, proposal, command.room, command.slot)
    slot = state.slots[command.slot]
    if proposal.session_id is not None:
        session = state.sessions[proposal.session_id]
        if session.status == "closed":
            raise Conflict("Its session is closed and stays where it was.")
        return _cell_events(state, proposal, session, room, command.slot, slot, now)
    return _first_placement(proposal, room, command.slot, slot, command.session_id, command.short_code, now)


def _first_placement(
    proposal: ProposalState,
    room: e.GridRoom,
    slot_index: int,
    slot: e.GridSlot,
    session_id: str,
    short_code: str | None,
    now: datetime,
) -> list[e.Event]:
    """A new barcamp session in the cell, then the proposal placed there."""
    return [
        e.SessionPlanned(
            at=now,
            session_id=session_id,
            title=proposal.title,
            format="barcamp",
            room=room.name,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=room.capacity,
            short_code=short_code,
        ),
        e.ProposalPlaced(
            at=now,
            proposal_id=proposal.id,
            session_id=session_id,
            room=room.name,
            slot=slot_index,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=room.capacity,
        ),
    ]


def _cell_events(
    state: WorkshopState,
    proposal: ProposalState,
    session: SessionState,
    room: e.GridRoom,
    slot_index: int,
    slot: e.GridSlot,
    now: datetime,
) -> list[e.Event]:
    """A placed session moved (or its cell changed): the new cell; a larger room confirms
    waitlisted people in order, a smaller one removes nobody."""
    moved: list[e.Event] = [
        e.ProposalPlaced(
            at=now,
            proposal_id=proposal.id,
            session_id=session.id,
            room=room.name,
            slot=slot_index,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=room.capacity,
            moved=True,
            sequence=session.sequence + 1,
        )
    ]
    room_left = max(0, room.capacity - len(session.confirmed))
    moved += [e.WaitlistPromoted(at=now, signup_id=sid) for sid in session.waitlist[:room_left]]
    return moved


def _unplace(state: WorkshopState, proposal_id: str, now: datetime) -> list[e.Event]:
    """Back to "proposed": the session is cancelled first (its people are told, as with any
    cancellation), then the proposal leaves its cell. A closed session took place and stays."""
    proposal = proposal_of(state, proposal_id)
    if proposal.status != "placed" or proposal.session_id is None:
        raise Conflict("The proposal is not in the grid.")
    session = state.sessions[proposal.session_id]
    if session.status == "closed":
        raise Conflict("Its session took place and stays in the grid.")
    withdrawn: list[e.Event] = [
        e.CommitmentWithdrawn(at=now, commitment_id=cid)
        for cid in session.commitments
        if state.commitments[cid].status == "open"
    ]
    cancelled = (
        []
        if session.status == "cancelled"
        else [e.SessionCancelled(at=now, session_id=session.id, sequence=session.sequence + 1)]
    )
    return [*withdrawn, *cancelled, e.ProposalUnplaced(at=now, proposal_id=proposal.id, session_id=session.id)]


def cell_freed(state: WorkshopState, session: SessionState, now: datetime) -> list[e.Event]:
    """What cancelling a placed session the ordinary way adds: its proposal leaves the cell, as when
    it is taken out of the grid, so the cell takes another proposal (before, it stayed taken until
    the facilitator also took the cancelled session out). Nothing for a session of no proposal."""
    proposal = state.proposals.get(session.proposal_id or "")
    if proposal is None or proposal.status != "placed" or proposal.session_id != session.id:
        return []
    return [e.ProposalUnplaced(at=now, proposal_id=proposal.id, session_id=session.id)]


def auto_placement(state: WorkshopState) -> placement.Result:
    """Where automatic placement puts the proposals not placed yet (deterministic)."""
    rooms = [placement.Room(room.name, room.capacity) for room in state.rooms]
    fixed = [(_as_candidate(p), p.room or "", p.slot or 0) for p in placed(state)]
    candidates = [_as_candidate(p) for p in state.proposals.values() if p.status == "proposed"]
    return placement.place(rooms, len(state.slots), fixed, candidates)


def _as_candidate(proposal: ProposalState) -> placement.Proposal:
    return placement.Proposal(
        id=proposal.id,
        interest=proposal.interest,
        proposer=proposer_key(proposal),
        interested=frozenset(proposal.interested),
    )


def _place_automatically(state: WorkshopState, command: c.PlaceAutomatically, now: datetime) -> list[e.Event]:
    if not state.rooms or not state.slots:
        raise Conflict("Set the grid's rooms and slots first.")
    result = auto_placement(state)
    if len(result.placed) > len(command.session_ids):
        raise Conflict("More proposals came in meanwhile; please try again.")
    events: list[e.Event] = []
    for index, (proposal_id, room_name, slot_index) in enumerate(result.placed):
        code = command.short_codes[index] if index < len(command.short_codes) else None
        room = state.rooms[room_index(state, room_name)]
        events += _first_placement(
            state.proposals[proposal_id],
            room,
            slot_index,
            state.slots[slot_index],
            command.session_ids[index],
            code,
            now,
        )
    return events


# ---------------------------------------------------------------------------- evolve


def _evolve_grid(state: WorkshopState, event: e.GridSet) -> None:
    state.rooms, state.slots = event.rooms, event.slots


def _evolve_proposal(state: WorkshopState, event: e.ProposalMade) -> None:
    state.proposals[event.proposal_id] = ProposalState(
        id=event.proposal_id,
        title=event.title,
        description=event.description,
        proposer_id=event.proposer_id,
        signup_id=event.signup_id,
        made_at=event.at,
        proposer=event.proposer,
    )


def _evolve_withdrawn(state: WorkshopState, event: e.ProposalWithdrawn) -> None:
    state.proposals[event.proposal_id].status = "withdrawn"


def _evolve_interest(state: WorkshopState, event: e.InterestShown) -> None:
    state.proposals[event.proposal_id].interested.add(event.participant_id)


def _evolve_interest_withdrawn(state: WorkshopState, event: e.InterestWithdrawn) -> None:
    state.proposals[event.proposal_id].interested.discard(event.participant_id)


def _evolve_hands(state: WorkshopState, event: e.HandsCounted) -> None:
    state.proposals[event.proposal_id].hands = event.count


def _evolve_placed(state: WorkshopState, event: e.ProposalPlaced) -> None:
    proposal = state.proposals[event.proposal_id]
    proposal.status, proposal.session_id = "placed", event.session_id
    proposal.room, proposal.slot = event.room, event.slot
    session = state.sessions[event.session_id]
    session.proposal_id = event.proposal_id
    session.room, session.starts_at, session.ends_at = event.room, event.starts_at, event.ends_at
    session.capacity = event.capacity
    if event.sequence is not None:
        session.sequence = event.sequence


def _evolve_unplaced(state: WorkshopState, event: e.ProposalUnplaced) -> None:
    proposal = state.proposals[event.proposal_id]
    proposal.status, proposal.session_id, proposal.room, proposal.slot = "proposed", None, None, None


EVOLVERS: dict[type[e.Event], Callable[[WorkshopState, Any], None]] = {
    e.GridSet: _evolve_grid,
    e.ProposalMade: _evolve_proposal,
    e.ProposalWithdrawn: _evolve_withdrawn,
    e.InterestShown: _evolve_interest,
    e.InterestWithdrawn: _evolve_interest_withdrawn,
    e.HandsCounted: _evolve_hands,
    e.ProposalPlaced: _evolve_placed,
    e.ProposalUnplaced: _evolve_unplaced,
}
