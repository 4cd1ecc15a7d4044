"""What the API and the pages show of a network. A facilitator of one of its workshops sees it
without contact details (`contacts=False`): no contact person's name or address, no patron's address."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from service.domain.network import GroupState, MemberState, NetworkState, group_members
from service.domain.state import WorkshopState
from service.domain.views import WorkshopStatus, workshop_status


class NetworkWorkshop(msgspec.Struct, kw_only=True):
    id: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    status: WorkshopStatus


class MemberView(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    organisation: str
    role: str
    agreement_signed_at: date | None = None
    joined_at: datetime
    contact_name: str | None = None
    contact_email: str | None = None


class GroupSummary(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    title: str
    patron_name: str | None = None
    patron_email: str | None = None


class NetworkListed(msgspec.Struct, kw_only=True):
    id: str
    name: str
    city: str | None
    description: str | None
    created_at: datetime | None


class NetworkView(msgspec.Struct, kw_only=True):
    id: str
    name: str
    city: str | None
    description: str | None
    created_at: datetime | None
    workshops: list[NetworkWorkshop]
    members: list[MemberView]
    groups: list[GroupSummary]


def network_workshop(state: WorkshopState) -> NetworkWorkshop:
    return NetworkWorkshop(
        id=state.id, title=state.title, starts_at=state.starts_at, ends_at=state.ends_at, status=workshop_status(state)
    )


def member_view(member: MemberState, contacts: bool) -> MemberView:
    contact = member.contact if contacts else None
    return MemberView(
        id=member.id,
        organisation=member.organisation,
        role=member.role,
        agreement_signed_at=member.agreement_signed_at,
        joined_at=member.joined_at,
        contact_name=contact.name if contact is not None else None,
        contact_email=contact.email if contact is not None else None,
    )


def group_summary(group: GroupState, contacts: bool) -> GroupSummary:
    patron = group.patron
    return GroupSummary(
        id=group.id,
        title=group.title,
        patron_name=patron.name if patron is not None else None,
        patron_email=patron.email if patron is not None and contacts else None,
    )


def network_listed(state: NetworkState) -> NetworkListed:
    return NetworkListed(
        id=state.id, name=state.name, city=state.city, description=state.description, created_at=state.created_at
    )


def network_view(state: NetworkState, meetings: list[WorkshopState], contacts: bool) -> NetworkView:
    return NetworkView(
        id=state.id,
        name=state.name,
        city=state.city,
        description=state.description,
        created_at=state.created_at,
        workshops=[network_workshop(w) for w in meetings],
        members=[member_view(m, contacts) for m in state.members.values() if not m.removed],
        groups=[group_summary(g, contacts) for g in state.groups.values()],
    )


class GroupSession(msgspec.Struct, kw_only=True):
    workshop_id: str
    workshop_title: str
    session_id: str
    title: str
    starts_at: datetime | None
    status: str


class GroupCommitment(msgspec.Struct, kw_only=True):
    id: str
    workshop_id: str
    session_id: str
    owner_name: str | None
    text: str
    due: date | None
    status: str


class GroupMemberView(msgspec.Struct, kw_only=True):
    name: str
    organisation: str | None


class GroupView(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    title: str
    patron_name: str | None = None
    patron_email: str | None = None
    members: list[GroupMemberView]
    sessions: list[GroupSession]
    commitments: list[GroupCommitment]


def group_view(group: GroupState, meetings: list[WorkshopState], contacts: bool) -> GroupView:
    """A working group across the network's meetings: its people, the sessions it held (or will
    hold), and its open commitments, wherever they were made."""
    sessions = [
        (w, s) for w in meetings for s in w.sessions.values() if s.group_id == group.id and s.status != "cancelled"
    ]
    summary = group_summary(group, contacts)
    return GroupView(
        id=group.id,
        title=group.title,
        patron_name=summary.patron_name,
        patron_email=summary.patron_email,
        members=[GroupMemberView(name=m.name, organisation=m.organisation) for m in group_members(group.id, meetings)],
        sessions=[
            GroupSession(
                workshop_id=w.id,
                workshop_title=w.title,
                session_id=s.id,
                title=s.title,
                starts_at=s.starts_at or w.starts_at,
                status=s.status,
            )
            for w, s in sessions
        ],
        commitments=[
            GroupCommitment(
                id=c.id,
                workshop_id=w.id,
                session_id=s.id,
                owner_name=c.owner.name,
                text=c.text,
                due=c.due,
                status=c.status,
            )
            for w, s in sessions
            for cid in s.commitments
            if (c := w.commitments[cid]).status == "open"
        ],
    )
