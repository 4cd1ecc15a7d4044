"""The written record: a session's digest and the workshop's report, folded from state.

Pure read models; rendering them as HTML, Markdown, PDF or CSV happens in `service.reports`.
E-mail addresses never appear here, names and organisations do (unless erased).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import msgspec

from service.domain.events import Format, Phase
from service.domain.formats import format_of
from service.domain.formats.barcamp import host_of
from service.domain.formats.base import DigestCard, DigestMatch, DigestOffer
from service.domain.intro import intro_talks
from service.domain.state import SessionState, WorkshopState
from service.domain.timing import local_today
from service.domain.views import follow_ups


class DigestPerson(msgspec.Struct, kw_only=True):
    signup_id: str
    name: str | None
    organisation: str | None
    newcomer: bool | None  # None: nobody said
    status: str
    waitlist_position: int | None
    signed_up_at: datetime


class DigestCommitment(msgspec.Struct, kw_only=True):
    id: str
    owner_name: str | None
    text: str
    due: date | None
    status: str


class DigestNote(msgspec.Struct, kw_only=True):
    text: str
    phase: Phase | None


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
    commitments: list[DigestCommitment]
    notes: list[DigestNote]
    cards: dict[str, list[DigestCard]]
    offers: list[DigestOffer]
    requests: list[DigestOffer]
    matches: list[DigestMatch]
    generated_at: datetime


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
            )
        )
    return people


def session_digest(state: WorkshopState, session: SessionState, now: datetime) -> SessionDigest:
    """Everything a session produced, ready to forward."""
    people = _people(state, session)
    section = format_of(session.format).section(state, session)
    commitments = [c for c in map(state.commitments.__getitem__, session.commitments) if c.status != "withdrawn"]
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
        commitments=[
            DigestCommitment(
                id=c.id,
                owner_name=c.owner.name,
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


def workshop_report(state: WorkshopState, done: dict[str, datetime], now: datetime) -> WorkshopReport:
    """The report an organiser forwards: totals, sessions, organisations, follow-ups, intro talks."""
    digests = [session_digest(state, session, now) for session in state.sessions.values()]
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
