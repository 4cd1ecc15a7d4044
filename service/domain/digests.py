"""The written record: a session's digest and the workshop's report, folded from state.

Pure read models; rendering them as HTML, Markdown, PDF or CSV happens in `service.reports`.
E-mail addresses never appear here, names and organisations do (unless erased).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

import msgspec

from service.domain.events import Format, Phase
from service.domain.formats import format_of
from service.domain.formats.barcamp import host_of
from service.domain.formats.base import (
    DigestAgendaItem,
    DigestCard,
    DigestDecision,
    DigestMatch,
    DigestOffer,
    Section,
)
from service.domain.intro import intro_talks
from service.domain.state import SessionState, WorkshopState, present
from service.domain.timing import local_today
from service.domain.views import follow_ups

_NEVER = datetime.max.replace(tzinfo=UTC)


class DigestPerson(msgspec.Struct, kw_only=True):
    signup_id: str
    name: str | None
    organisation: str | None
    newcomer: bool | None  # None: nobody said
    status: str
    waitlist_position: int | None
    signed_up_at: datetime
    present: bool = False  # came (marked, or signed up while the session was open)


class DigestCommitment(msgspec.Struct, kw_only=True):
    id: str
    owner_name: str | None
    text: str
    due: date | None
    status: str


class DigestNote(msgspec.Struct, kw_only=True):
    text: str
    phase: Phase | None


class DigestPhoto(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A photo of the session (a flipchart). `url`: the facilitator's link to the image; `data`:
    the image itself, filled in only to draw a document that embeds it (HTML, PDF)."""

    id: str
    content_type: str
    width: int
    height: int
    url: str = ""
    data: bytes | None = None


class SessionDigest(msgspec.Struct, kw_only=True):
    workshop_id: str
    workshop_title: str
    timezone: str
    language: str
    session_id: str
    title: str
    format: Format
    host: str | None
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    status: str
    closed_at: datetime | None
    capacity: int | None
    confirmed: int
    waitlisted: int
    newcomers: int
    participants: list[DigestPerson]
    present: int = 0  # of the people signed up (confirmed or waiting), how many came
    commitments: list[DigestCommitment]
    notes: list[DigestNote]
    cards: dict[str, list[DigestCard]]
    offers: list[DigestOffer]
    requests: list[DigestOffer]
    matches: list[DigestMatch]
    generated_at: datetime
    agenda: list[DigestAgendaItem] = []
    decisions: list[DigestDecision] = []
    next_meeting_at: datetime | None = None  # a round table's next meeting, once its date is fixed
    named_only: bool = False  # a version for participants or the public: others' names left out
    photos: list[DigestPhoto] = []  # the facilitator's version only: a flipchart may carry names


class SessionRow(msgspec.Struct, kw_only=True):
    id: str
    title: str
    format: Format
    room: str | None
    starts_at: datetime | None
    status: str
    confirmed: int
    waitlisted: int
    newcomers: int
    commitments: int
    commitments_done: int
    present: int = 0


class OrganisationCount(msgspec.Struct, kw_only=True):
    name: str
    people: int


class Totals(msgspec.Struct, kw_only=True):
    sessions: int
    signups: int
    participants: int
    confirmed: int
    waitlisted: int
    newcomers: int  # people who said they are new, or whom the facilitator marked new
    newcomers_unknown: int  # people of whom nobody said whether they are new
    newcomer_share: float
    commitments: int
    commitments_open: int
    commitments_done: int
    commitments_overdue: int
    present: int = 0  # sign-ups of people who came, over all sessions


class IntroTalkLine(msgspec.Struct, kw_only=True):
    name: str | None
    status: str
    host_name: str | None
    starts_at: datetime | None
    deadline: datetime | None
    reason: str | None


class WorkshopReport(msgspec.Struct, kw_only=True):
    workshop_id: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    location: str | None
    timezone: str
    language: str
    status: str
    totals: Totals
    sessions: list[SessionRow]
    organisations: list[OrganisationCount]
    follow_ups: dict[str, int]
    intro_talks: list[IntroTalkLine]
    digests: list[SessionDigest]
    generated_at: datetime


def _commitment_status(state: WorkshopState, status: str, due: date | None, now: datetime) -> str:
    if status == "open" and due is not None and due < local_today(state, now):
        return "overdue"
    return status


def _people(state: WorkshopState, session: SessionState) -> list[DigestPerson]:
    people = []
    for signup_id in session.signups:
        signup = state.signups[signup_id]
        if signup.status == "withdrawn":
            continue
        position = session.waitlist.index(signup_id) + 1 if signup.status == "waitlisted" else None
        people.append(
            DigestPerson(
                signup_id=signup.id,
                name=signup.person.name,
                organisation=signup.person.organisation,
                newcomer=signup.newcomer,
                status=signup.status,
                waitlist_position=position,
                signed_up_at=signup.recorded_at,
                present=present(signup, session),
            )
        )
    return people


def named_in_digest(state: WorkshopState, session: SessionState, reader: str | None) -> set[str]:
    """Whom a participant's version of the digest names: the reader and those of the session who
    chose to share their contact; the public version (`reader` None) names no one."""
    if reader is None:
        return set()
    sharing = {state.signups[s].participant_id for s in session.signups if state.signups[s].share_contact}
    return {reader} | sharing


def _named_only(state: WorkshopState, section: Section, named: set[str]) -> Section:
    """The format's section with the names of everyone else taken out."""

    def shown(offer: DigestOffer) -> DigestOffer:
        owner = state.offers[offer.id].owner if offer.id in state.offers else None
        keep = owner is not None and owner.subject in named
        return msgspec.structs.replace(offer, owner_name=offer.owner_name if keep else None)

    names = {p.name for p in (state.participants[s].person for s in named if s in state.participants) if p.name}
    matches = [
        msgspec.structs.replace(
            m,
            offer_owner=m.offer_owner if m.offer_owner in names else None,
            request_owner=m.request_owner if m.request_owner in names else None,
        )
        for m in section.matches
    ]
    return msgspec.structs.replace(
        section,
        offers=[shown(o) for o in section.offers],
        requests=[shown(o) for o in section.requests],
        matches=matches,
    )


def session_digest(
    state: WorkshopState, session: SessionState, now: datetime, named: set[str] | None = None
) -> SessionDigest:
    """Everything a session produced, ready to forward. With `named` (participant ids), a version
    for participants or the public: only those people appear by name, no one else's sign-up."""
    people = _people(state, session)
    section = format_of(session.format).section(state, session)
    commitments = [c for c in map(state.commitments.__getitem__, session.commitments) if c.status != "withdrawn"]
    if named is not None:
        people = [p for p in people if state.signups[p.signup_id].participant_id in named]
        section = _named_only(state, section, named)
    return SessionDigest(
        workshop_id=state.id,
        workshop_title=state.title,
        timezone=state.timezone,
        language=state.language,
        session_id=session.id,
        title=session.title,
        format=session.format,
        host=host_of(state, session),
        room=session.room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        status=session.status,
        closed_at=session.closed_at,
        capacity=session.capacity,
        confirmed=len(session.confirmed),
        waitlisted=len(session.waitlist),
        newcomers=sum(1 for p in people if p.newcomer),
        participants=people,
        present=sum(1 for p in people if p.present),
        commitments=[
            DigestCommitment(
                id=c.id,
                owner_name=c.owner.name if named is None or c.owner.subject in named else None,
                text=c.text,
                due=c.due,
                status=_commitment_status(state, c.status, c.due, now),
            )
            for c in commitments
        ],
        notes=[DigestNote(text=state.notes[n].text, phase=state.notes[n].phase) for n in session.notes],
        cards=section.cards,
        offers=section.offers,
        requests=section.requests,
        matches=section.matches,
        generated_at=now,
        agenda=section.agenda,
        decisions=section.decisions,
        next_meeting_at=section.next_meeting_at,
        named_only=named is not None,
        photos=[]
        if named is not None
        else [
            DigestPhoto(id=p.id, content_type=p.content_type, width=p.width, height=p.height)
            for p in session.photos.values()
        ],
    )


def _row(digest: SessionDigest) -> SessionRow:
    return SessionRow(
        id=digest.session_id,
        title=digest.title,
        format=digest.format,
        room=digest.room,
        starts_at=digest.starts_at,
        status=digest.status,
        confirmed=digest.confirmed,
        waitlisted=digest.waitlisted,
        newcomers=digest.newcomers,
        commitments=len(digest.commitments),
        commitments_done=sum(1 for c in digest.commitments if c.status == "done"),
        present=digest.present,
    )


def _organisations(state: WorkshopState) -> list[OrganisationCount]:
    people_by_org: dict[str, set[str]] = {}
    for signup in state.signups.values():
        organisation = signup.person.organisation
        if signup.status != "withdrawn" and organisation:
            people_by_org.setdefault(organisation, set()).add(signup.participant_id)
    ranked = sorted(people_by_org.items(), key=lambda item: (-len(item[1]), item[0].casefold()))
    return [OrganisationCount(name=name, people=len(people)) for name, people in ranked]


def _totals(state: WorkshopState, digests: list[SessionDigest]) -> Totals:
    active = [s for s in state.signups.values() if s.status != "withdrawn"]
    participants = {s.participant_id for s in active}
    newcomers = {pid for pid in participants if state.participants[pid].newcomer is True}
    unknown = {pid for pid in participants if state.participants[pid].newcomer is None}
    statuses = Counter(c.status for d in digests for c in d.commitments)
    return Totals(
        sessions=len(digests),
        signups=len(active),
        participants=len(participants),
        confirmed=sum(d.confirmed for d in digests),
        waitlisted=sum(d.waitlisted for d in digests),
        newcomers=len(newcomers),
        newcomers_unknown=len(unknown),
        newcomer_share=round(len(newcomers) / len(participants), 3) if participants else 0.0,
        commitments=sum(statuses.values()),
        commitments_open=statuses["open"],
        commitments_done=statuses["done"],
        commitments_overdue=statuses["overdue"],
        present=sum(d.present for d in digests),
    )


def _intro_lines(state: WorkshopState, now: datetime) -> list[IntroTalkLine]:
    return [
        IntroTalkLine(
            name=t.name,
            status=t.status,
            host_name=t.host_name,
            starts_at=t.starts_at,
            deadline=t.deadline,
            reason=t.reason,
        )
        for t in intro_talks(state, now)
    ]


def in_time_order(sessions: Iterable[SessionState]) -> list[SessionState]:
    """Sessions as the day ran: by start (unscheduled last), then room and title."""
    return sorted(sessions, key=lambda s: (s.starts_at is None, s.starts_at or _NEVER, s.room or "", s.title))


def workshop_report(state: WorkshopState, done: dict[str, datetime], now: datetime) -> WorkshopReport:
    """The report an organiser forwards: totals, sessions, organisations, follow-ups, intro talks."""
    digests = [session_digest(state, session, now) for session in in_time_order(state.sessions.values())]
    return WorkshopReport(
        workshop_id=state.id,
        title=state.title,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        location=state.location,
        timezone=state.timezone,
        language=state.language,
        status=state.status,
        totals=_totals(state, digests),
        sessions=[_row(d) for d in digests],
        organisations=_organisations(state),
        follow_ups=dict(Counter(entry.status for entry in follow_ups(state, done, now))),
        intro_talks=_intro_lines(state, now),
        digests=digests,
        generated_at=now,
    )
