"""What a page says of a workshop's status: planned before its day, begun once its day has begun
with no session open, running while a session is open, over when its end passed without anyone
closing it, closed once closed (the API keeps planned / running / closed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain import events as e
from service.domain.rules import evolve
from service.domain.state import WorkshopState
from service.domain.views import shown_status, workshop_status

STARTS = datetime(2026, 11, 6, 17, tzinfo=UTC)


def _workshop(*events: e.Event) -> WorkshopState:
    state = WorkshopState(id="w1")
    created = e.WorkshopCreated(
        at=STARTS - timedelta(days=30),
        workshop_id="w1",
        title="Herbsttreffen",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=4),
        facilitator_token_hash="h",
        login_code_hash="l",
    )
    planned = e.SessionPlanned(at=STARTS, session_id="t", title="Tisch", format="thementisch")
    for event in (created, planned, *events):
        evolve(state, event)
    return state


def test_a_page_says_what_the_day_says() -> None:
    workshop = _workshop()
    assert shown_status(workshop, STARTS - timedelta(days=1)) == "planned"
    assert shown_status(workshop, STARTS + timedelta(hours=1)) == "begun"
    assert shown_status(workshop, STARTS + timedelta(days=1)) == "over"
    assert workshop_status(workshop) == "planned"  # the API's word for all three
    running = _workshop(e.SessionOpened(at=STARTS, session_id="t"))
    assert shown_status(running, STARTS + timedelta(days=20)) == "running"  # a session left open is still open
    closed = _workshop(e.SessionClosed(at=STARTS, session_id="t"), e.WorkshopClosed(at=STARTS))
    assert shown_status(closed, STARTS + timedelta(hours=1)) == "closed"
