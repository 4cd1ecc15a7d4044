"""The network: its own aggregate with its own log (in the event store, under its own id, so
its keys share one hash tag like a workshop's). Member organisations, working groups.

Which workshops belong to a network is told by the workshops' own logs (`WorkshopNetworkSet`);
cross-workshop views fold those workshops' states (`meetings_of`), rebuildable at any time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from service.domain import events as e
from service.domain.errors import Conflict, NotFound
from service.domain.events import MemberRole, Person
from service.domain.organisations import members_named
from service.domain.state import SignupState, WorkshopState, joined_at, present

NETWORK_PREFIX = "net-"
"""Network ids start with it; workshop ids never do (they hold no "-")."""


def is_network_id(value: str) -> bool:
    return value.startswith(NETWORK_PREFIX)


# ---------------------------------------------------------------------------- commands


class NetworkCommand(msgspec.Struct, frozen=True, kw_only=True):
    pass


class CreateNetwork(NetworkCommand, frozen=True, kw_only=True):
    network_id: str
    name: str
    city: str | None = None
    description: str | None = None


class AddMember(NetworkCommand, frozen=True, kw_only=True):
    member_id: str
    organisation: str
    role: MemberRole = "member"
    agreement_signed_at: date | None = None
    contact: Person | None = None


class ChangeMember(NetworkCommand, frozen=True, kw_only=True):
    """Only the fields given change. A new `contact` (under a subject of its own) takes the place
    of the one before, whose personal data is erased; `drop_contact` erases it without successor."""

    member_id: str
    organisation: str | None = None
    role: MemberRole | None = None
    agreement_signed_at: date | None = None
    contact: Person | None = None
    drop_contact: bool = False


class RemoveMember(NetworkCommand, frozen=True, kw_only=True):
    member_id: str


class FormGroup(NetworkCommand, frozen=True, kw_only=True):
    group_id: str
    title: str
    patron: Person | None = None


class ChangeGroup(NetworkCommand, frozen=True, kw_only=True):
    """A new title, or a new patron (under a subject of its own) in the place of the one before,
    whose personal data is erased; `drop_patron` erases the patron without successor."""

    group_id: str
    title: str | None = None
    patron: Person | None = None
    drop_patron: bool = False


class EndGroup(NetworkCommand, frozen=True, kw_only=True):
    """The working group is over; its patron's personal data goes with it."""

    group_id: str


# ---------------------------------------------------------------------------- state


@dataclass
class MemberState:
    id: str
    organisation: str
    role: MemberRole
    agreement_signed_at: date | None
    contact: Person | None
    joined_at: datetime
    removed: bool = False


@dataclass
class GroupState:
    id: str
    title: str
    patron: Person | None
    formed_at: datetime


@dataclass
class NetworkState:
    id: str
    version: int = 0
    exists: bool = False
    name: str = ""
    city: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    members: dict[str, MemberState] = field(default_factory=dict)
    groups: dict[str, GroupState] = field(default_factory=dict)
    ended_groups: dict[str, GroupState] = field(default_factory=dict)  # their titles stay for the report

    def people(self) -> list[Person]:
        """Every person the network's log names now (contact people, patrons)."""
        found = [m.contact for m in self.members.values() if m.contact is not None]
        groups = [*self.groups.values(), *self.ended_groups.values()]
        return found + [g.patron for g in groups if g.patron is not None]


# ---------------------------------------------------------------------------- decide


def decide(state: NetworkState, command: NetworkCommand, now: datetime) -> list[e.Event]:
    """The events a command causes, or a DomainError saying why it is refused."""
    if isinstance(command, CreateNetwork):
        if state.exists:
            raise Conflict(f"Network {state.id!r} exists already.")
        return [e.NetworkCreated(at=now, **msgspec.structs.asdict(command))]
    if not state.exists:
        raise NotFound("network", state.id)
    match command:
        case AddMember():
            return [e.NetworkMemberAdded(at=now, **msgspec.structs.asdict(command))]
        case ChangeMember():
            return _change_member(state, command, now)
        case RemoveMember(member_id=mid):
            member = _member(state, mid)
            # the contact person's data goes with the organisation
            return [e.NetworkMemberRemoved(at=now, member_id=mid), *_erasure(member.contact, now)]
        case FormGroup():
            return [e.WorkingGroupFormed(at=now, **msgspec.structs.asdict(command))]
        case ChangeGroup():
            return _change_group(state, command, now)
        case EndGroup(group_id=gid):
            group = _group(state, gid)
            return [e.WorkingGroupEnded(at=now, group_id=gid), *_erasure(group.patron, now)]
    raise TypeError(f"unknown network command {type(command).__name__}")


def _member(state: NetworkState, member_id: str) -> MemberState:
    member = state.members.get(member_id)
    if member is None or member.removed:
        raise NotFound("member", member_id)
    return member


def _group(state: NetworkState, group_id: str) -> GroupState:
    group = state.groups.get(group_id)
    if group is None:
        raise NotFound("working group", group_id)
    return group


def _erasure(person: Person | None, now: datetime) -> list[e.Event]:
    """The tombstone of a person the network names, unless there is none (any more)."""
    if person is None or person.erased:
        return []
    return [e.PersonErased(at=now, subject=person.subject)]


def _succession(
    before: Person | None, after: Person | None, drop: bool, now: datetime
) -> tuple[Person | None, list[e.Event]]:
    """Who takes a person's place (None: nobody new) and the erasure of the one before: a
    contact person or patron replaced or dropped leaves nothing readable in the log."""
    if after is None and not drop:
        return None, []
    if after is not None and before is not None and not before.erased and _same_person(after, before):
        return None, []
    kept_subject = after is not None and before is not None and after.subject == before.subject
    return after, [] if kept_subject else _erasure(before, now)


def _change_member(state: NetworkState, command: ChangeMember, now: datetime) -> list[e.Event]:
    member = _member(state, command.member_id)
    current: dict[str, Any] = {
        "organisation": member.organisation,
        "role": member.role,
        "agreement_signed_at": member.agreement_signed_at,
    }
    changed = {
        name: value
        for name, value in msgspec.structs.asdict(command).items()
        if name in current and value is not None and value != current[name]
    }
    contact, erased = _succession(member.contact, command.contact, command.drop_contact, now)
    if not changed and contact is None:
        return erased
    return [e.NetworkMemberChanged(at=now, member_id=member.id, contact=contact, **changed), *erased]


def _change_group(state: NetworkState, command: ChangeGroup, now: datetime) -> list[e.Event]:
    group = _group(state, command.group_id)
    title = command.title if command.title not in {None, group.title} else None
    patron, erased = _succession(group.patron, command.patron, command.drop_patron, now)
    if title is None and patron is None:
        return erased
    return [e.WorkingGroupChanged(at=now, group_id=group.id, title=title, patron=patron), *erased]


def _same_person(a: Person, b: Person) -> bool:
    return (a.name, a.email) == (b.name, b.email)


# ---------------------------------------------------------------------------- evolve


def fold(state: NetworkState, events: Iterable[tuple[int, e.Event]]) -> NetworkState:
    for position, event in events:
        evolve(state, event)
        state.version = position
    return state


def evolve(state: NetworkState, event: e.Event) -> NetworkState:
    match event:
        case e.NetworkCreated():
            state.exists = True
            state.name, state.city, state.description = event.name, event.city, event.description
            state.created_at = event.at
        case e.NetworkMemberAdded():
            state.members[event.member_id] = MemberState(
                id=event.member_id,
                organisation=event.organisation,
                role=event.role,
                agreement_signed_at=event.agreement_signed_at,
                contact=event.contact,
                joined_at=event.at,
            )
        case e.NetworkMemberChanged():
            member = state.members[event.member_id]
            member.organisation = event.organisation or member.organisation
            member.role = event.role or member.role
            member.agreement_signed_at = event.agreement_signed_at or member.agreement_signed_at
            member.contact = event.contact or member.contact
        case e.NetworkMemberRemoved():
            state.members[event.member_id].removed = True
        case e.WorkingGroupFormed():
            state.groups[event.group_id] = GroupState(
                id=event.group_id, title=event.title, patron=event.patron, formed_at=event.at
            )
        case e.WorkingGroupChanged():
            group = state.groups[event.group_id]
            group.title = event.title or group.title
            group.patron = event.patron or group.patron
        case e.WorkingGroupEnded():
            state.ended_groups[event.group_id] = state.groups.pop(event.group_id)
        case e.PersonErased(subject=subject):
            _erase(state, subject)
    return state


def _erase(state: NetworkState, subject: str) -> None:
    blank = Person(subject, None)
    for member in state.members.values():
        if member.contact is not None and member.contact.subject == subject:
            member.contact = blank
    for group in [*state.groups.values(), *state.ended_groups.values()]:
        if group.patron is not None and group.patron.subject == subject:
            group.patron = blank


# ---------------------------------------------------------------------------- projections


def meetings_of(network_id: str, workshops: Iterable[WorkshopState]) -> list[WorkshopState]:
    """The network's meetings among the workshops, oldest first: the workshops whose own log
    puts them in the network. Cross-workshop views (members who came, groups, carried
    commitments, the report) fold from these, so they can be rebuilt from the logs at any time."""
    found = [w for w in workshops if w.exists and w.network_id == network_id]
    return sorted(found, key=lambda w: w.starts_at or datetime.min.replace(tzinfo=UTC))


class GroupMember(msgspec.Struct, frozen=True):
    """One person of a working group: the latest name and organisation they gave."""

    key: str  # their keyed e-mail hash, or `<workshop>/<participant>` without an address
    name: str
    organisation: str | None


def group_members(group_id: str, meetings: Iterable[WorkshopState]) -> list[GroupMember]:
    """The confirmed people of the group's sessions across the meetings, each once (by keyed
    e-mail hash), but for the erased and those whose last word was leaving: a person who left
    and later signed up to a session of the group again is a member again. Joining and leaving
    are compared by when they happened, not by the order of the meetings (a leave at an earlier
    meeting may come after a sign-up in advance to a later one)."""
    found: dict[str, GroupMember] = {}
    joined: dict[str, datetime] = {}
    left: dict[str, datetime] = {}
    for workshop in meetings:
        for (participant_id, left_group), at in workshop.left_groups.items():
            participant = workshop.participants.get(participant_id)
            if left_group == group_id and participant is not None:
                key = participant.email_hash or f"{workshop.id}/{participant_id}"
                left[key] = max(at, left.get(key, at))
        for session in workshop.sessions.values():
            if session.group_id != group_id:
                continue
            for signup_id in session.confirmed:
                signup = workshop.signups[signup_id]
                if signup.person.erased or signup.person.name is None:
                    continue
                key = signup.email_hash or f"{workshop.id}/{signup.participant_id}"
                found[key] = GroupMember(key, signup.person.name, signup.person.organisation)
                joined[key] = max(joined_at(signup), joined.get(key, joined_at(signup)))
    listed = (m for key, m in found.items() if key not in left or joined[key] > left[key])
    return sorted(listed, key=lambda m: m.name.casefold())


YEAR = timedelta(days=365)


class MemberAttendance(msgspec.Struct, frozen=True):
    member_id: str
    came_to: tuple[str, ...]  # the meetings (workshop ids) someone of the organisation was present at
    last_came: datetime | None


def was_present(workshop: WorkshopState, signup: SignupState) -> bool:
    return signup.status != "withdrawn" and present(signup, workshop.sessions[signup.session_id])


def member_attendance(
    network: NetworkState, meetings: list[WorkshopState], recorded: Mapping[str, Iterable[str]] | None = None
) -> list[MemberAttendance]:
    """Per member organisation, at which meetings someone of it was present (by the organisation
    they typed when signing up, or as the network projection recorded it, `recorded`: workshop
    id → member ids, which outlives retention's erasure of what people typed), and when last."""
    kept = {wid: set(ids) for wid, ids in (recorded or {}).items()}
    current = {m.id: m.organisation for m in network.members.values() if not m.removed}
    came_to: dict[str, list[WorkshopState]] = {mid: [] for mid in current}
    for workshop in meetings:
        typed = [s.person.organisation for s in workshop.signups.values() if was_present(workshop, s)]
        for mid in kept.get(workshop.id, set()) | members_named(typed, current):
            if mid in came_to:
                came_to[mid].append(workshop)
    found = []
    for mid, came in came_to.items():
        last = max((w.starts_at for w in came if w.starts_at is not None), default=None)
        found.append(MemberAttendance(mid, tuple(w.id for w in came), last))
    return found


def away_for_a_year(network: NetworkState, attendance: list[MemberAttendance], now: datetime) -> list[str]:
    """The members nobody of whom came to a meeting in the last year, though they have been
    members that long (since they signed the cooperation agreement, or were added)."""
    away = []
    for entry in attendance:
        member = network.members[entry.member_id]
        signed = member.agreement_signed_at
        since = datetime(signed.year, signed.month, signed.day, tzinfo=UTC) if signed else member.joined_at
        if entry.last_came is not None:
            since = max(since, entry.last_came)
        if now - since >= YEAR:
            away.append(entry.member_id)
    return away
