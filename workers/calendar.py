"""iCalendar documents: a session for the participant's calendar, intro-talk invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

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


def session_ics(
    uid: str, title: str, starts_at: datetime, ends_at: datetime | None, location: str | None, url: str, stamp: datetime
) -> bytes:
    """A session as a calendar entry (published, not an invitation)."""
    calendar = _calendar("PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at or starts_at + timedelta(hours=1)))
    event.add("summary", title)
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
    organizer: tuple[str, str],
    attendee: tuple[str, str | None],
    stamp: datetime,
) -> bytes:
    """An invitation (REQUEST) or its cancellation (CANCEL); the UID stays, SEQUENCE rises."""
    calendar = _calendar(method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(starts_at + duration))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    host = vCalAddress(f"mailto:{organizer[1]}")
    host.params["cn"] = vText(organizer[0])
    event.add("organizer", host)
    if attendee[1]:
        guest = vCalAddress(f"mailto:{attendee[1]}")
        guest.params["cn"] = vText(attendee[0])
        guest.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", guest)
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def talks_calendar(talks: list[tuple[str, str, datetime, timedelta]], stamp: datetime) -> bytes:
    """Every scheduled intro talk as one calendar: (uid, summary, start, duration)."""
    calendar = _calendar("PUBLISH")
    for uid, summary, starts_at, duration in talks:
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", _utc(stamp))
        event.add("dtstart", _utc(starts_at))
        event.add("dtend", _utc(starts_at + duration))
        event.add("summary", summary)
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
