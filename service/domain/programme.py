"""The barcamp's public programme and its proposals, as read models: the grid's rooms and slots,
every session, every proposal. Names only of hosts and proposers; no address, no organisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from service.domain.events import Format
from service.domain.formats.barcamp import host_of, proposer_name
from service.domain.links import Links
from service.domain.state import ProposalState, ProposalStatus, SessionState, WorkshopState


class RoomOut(msgspec.Struct, kw_only=True):
    name: str
    capacity: int


class SlotOut(msgspec.Struct, kw_only=True):
    index: int
    starts_at: datetime
    ends_at: datetime


class ProgrammeSession(msgspec.Struct, kw_only=True):
    id: str
    title: str
    format: Format
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    host: str | None
    confirmed: int
    capacity: int | None
    short_url: str
    status: str
    signup_url: str
    proposal_id: str | None
    slot: int | None


class ProposalEntry(msgspec.Struct, kw_only=True):
    id: str
    title: str
    description: str | None
    proposer_name: str | None
    interest: int
    status: ProposalStatus
    hands: int
    phones: int
    session_id: str | None
    room: str | None
    slot: int | None


class Programme(msgspec.Struct, kw_only=True):
    rooms: list[RoomOut]
    slots: list[SlotOut]
    sessions: list[ProgrammeSession]
    proposals: list[ProposalEntry]


def proposal_entry(state: WorkshopState, proposal: ProposalState) -> ProposalEntry:
    return ProposalEntry(
        id=proposal.id,
        title=proposal.title,
        description=proposal.description,
        proposer_name=proposer_name(state, proposal),
        interest=proposal.interest,
        status=proposal.status,
        hands=proposal.hands,
        phones=len(proposal.interested),
        session_id=proposal.session_id,
        room=proposal.room,
        slot=proposal.slot,
    )


def programme_session(state: WorkshopState, session: SessionState, links: Links) -> ProgrammeSession:
    proposal = state.proposals.get(session.proposal_id or "")
    return ProgrammeSession(
        id=session.id,
        title=session.title,
        format=session.format,
        room=session.room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        host=host_of(state, session),
        confirmed=len(session.confirmed),
        capacity=session.capacity,
        short_url=links.short(session.short_code),
        status=session.status,
        signup_url=links.signup(state.id, session.id),
        proposal_id=session.proposal_id,
        slot=proposal.slot if proposal is not None and proposal.session_id == session.id else None,
    )


def _order(state: WorkshopState) -> Callable[[SessionState], tuple[float, int, str, str]]:
    """By time, then in the grid's order of rooms (rooms outside the grid after), then by name."""
    rank = {room.name: index for index, room in enumerate(state.rooms)}

    def key(session: SessionState) -> tuple[float, int, str, str]:
        start = session.starts_at.timestamp() if session.starts_at else float("inf")
        return (start, rank.get(session.room or "", len(rank)), session.room or "", session.title)

    return key


def programme(state: WorkshopState, links: Links) -> Programme:
    """The programme anyone may see: rooms, slots, sessions by time and room, the proposals
    (most interest first) that are not withdrawn."""
    proposals = sorted(
        (p for p in state.proposals.values() if p.status != "withdrawn"), key=lambda p: (-p.interest, p.made_at)
    )
    return Programme(
        rooms=[RoomOut(name=room.name, capacity=room.capacity) for room in state.rooms],
        slots=[SlotOut(index=i, starts_at=s.starts_at, ends_at=s.ends_at) for i, s in enumerate(state.slots)],
        sessions=[programme_session(state, s, links) for s in sorted(state.sessions.values(), key=_order(state))],
        proposals=[proposal_entry(state, p) for p in proposals],
    )
