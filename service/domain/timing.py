"""When reminders are due: pure functions of workshop settings and facts."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from service.domain.state import SessionState, WorkshopState

DUE_REMINDER_TIME = time(9, 0)


def follow_up_at(state: WorkshopState, session: SessionState) -> datetime | None:
    """`follow_up_after` after the session closed; None while it is not closed."""
    return None if session.closed_at is None else session.closed_at + state.follow_up_after


def digest_at(state: WorkshopState, session: SessionState) -> datetime | None:
    """`digest_wait` after the session closed: closes until then go out in the same mail."""
    return None if session.closed_at is None else session.closed_at + state.digest_wait


def due_reminder_at(state: WorkshopState, due: date) -> datetime:
    """09:00 in the workshop's time zone on the due day."""
    return datetime.combine(due, DUE_REMINDER_TIME, tzinfo=ZoneInfo(state.timezone))


def local_today(state: WorkshopState, now: datetime) -> date:
    return now.astimezone(ZoneInfo(state.timezone)).date()
