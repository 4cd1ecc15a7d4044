"""iCalendar documents: a session for the participant's calendar, intro-talk invitations.

Every entry has a title (SUMMARY), its place when one is known (LOCATION), and one stable
ORGANIZER: the deployment's sender address (`KNOTEN_MAIL_FROM`), so that reassigning a talk
to another host changes the attendees, never the organizer of the same UID (RFC 5546 §3.2).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from service.domain.state import IntroSlotState, IntroTalkState, WorkshopState
from service.i18n import gettext

PRODID = "-//knoten//knoten//DE"


def _utc(moment: datetime) -> datetime:
    """Times go out in UTC: a fixed offset has no TZID, and floating time would be wrong."""
    return moment.astimezone(UTC)


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _event(uid: str, summary: str, starts_at: datetime, ends_at: datetime, organizer: str, stamp: datetime) -> Event:
    """A VEVENT with what every entry has; `organizer` is a mail address such as `knoten <k@example.org>`."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    event.add("summary", summary)
    name, email = parseaddr(organizer)
    event.add("organizer", _address(name, email))
    return event


def session_ics(
    *,
    uid: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str | None,
    url: str,
    organizer: str,
    stamp: datetime,
    sequence: int = 0,
    method: Literal["PUBLISH", "CANCEL"] = "PUBLISH",
) -> bytes:
    """A session as a calendar entry (published, not an invitation), or its cancellation (CANCEL,
    STATUS:CANCELLED). The UID stays; SEQUENCE rises with each new time or room and with the
    cancellation, so that a calendar replaces the entry it has."""
    calendar = _calendar(method)
    event = _event(uid, title, starts_at, ends_at or starts_at + timedelta(hours=1), organizer, stamp)
    event.add("sequence", sequence)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    if location:
        event.add("location", location)
    event.add("url", url)
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def intro_talk_ics(
    *,
    method: Literal["REQUEST", "CANCEL"],
    uid: str,
    sequence: int,
    summary: str,
    starts_at: datetime,
    duration: timedelta,
    place: str | None,
    organizer: str,
    host: tuple[str, str | None],
    newcomer: tuple[str, str | None],
    stamp: datetime,
) -> bytes:
    """An invitation (REQUEST) or its cancellation (CANCEL); the UID and ORGANIZER stay, SEQUENCE rises."""
    calendar = _calendar(method)
    event = _event(uid, summary, starts_at, starts_at + duration, organizer, stamp)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if place:
        event.add("location", place)
    for (name, email), role in ((host, "CHAIR"), (newcomer, "REQ-PARTICIPANT")):
        if email:
            event.add("attendee", _address(name, email, role=role))
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def talks_calendar(
    talks: list[tuple[str, str, datetime, timedelta, str | None]], organizer: str, stamp: datetime
) -> bytes:
    """Every scheduled intro talk as one calendar: (uid, summary, start, duration, place)."""
    calendar = _calendar("PUBLISH")
    for uid, summary, starts_at, duration, place in talks:
        event = _event(uid, summary, starts_at, starts_at + duration, organizer, stamp)
        if place:
            event.add("location", place)
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def intro_talk_uid(workshop_id: str, participant_id: str) -> str:
    return f"intro-{workshop_id}-{participant_id}@knoten"


def talk_invitation(
    state: WorkshopState,
    talk: IntroTalkState,
    slot: IntroSlotState,
    method: Literal["REQUEST", "CANCEL"],
    language: str,
    organizer: str,
    stamp: datetime,
) -> bytes:
    """The calendar entry of one newcomer's intro talk, the same in every mail and on their page
    but for the language of its title."""
    newcomer = state.participants[talk.participant_id].person
    return intro_talk_ics(
        method=method,
        uid=intro_talk_uid(state.id, talk.participant_id),
        sequence=talk.sequence,
        summary=gettext(language, "Intro talk with %(host)s") % {"host": slot.host.name},
        starts_at=slot.starts_at,
        duration=slot.duration,
        place=slot.place,
        organizer=organizer,
        host=(slot.host.name or "", slot.host.email),
        newcomer=(newcomer.name or "", newcomer.email),
        stamp=stamp,
    )
