"""What a page says of a workshop's status: planned before its day, begun once its day has begun
with no session open, running while a session is open, over when its end passed without anyone
closing it, closed once closed (the API keeps planned / running / closed)."""

from __future__ import annotations

from datetime import timedelta

from service.domain import events as e
from service.domain.state import WorkshopState
from service.domain.views import shown_status, workshop_status
from tests.unit.test_rules import NOW, created, given, planned


def _workshop(*events: e.Event) -> WorkshopState:
    return given(created(), planned(), *events)


def test_a_page_says_what_the_day_says() -> None:
    workshop = _workshop()  # from NOW for eight hours
    assert shown_status(workshop, NOW - timedelta(days=1)) == "planned"
    assert shown_status(workshop, NOW + timedelta(hours=1)) == "begun"
    assert shown_status(workshop, NOW + timedelta(days=1)) == "over"
    assert workshop_status(workshop) == "planned"  # the API's word for all three
    running = _workshop(e.SessionOpened(at=NOW, session_id="s"))
    assert shown_status(running, NOW + timedelta(days=20)) == "running"  # a session left open is still open
    closed = _workshop(e.SessionClosed(at=NOW, session_id="s"), e.WorkshopClosed(at=NOW))
    assert shown_status(closed, NOW + timedelta(hours=1)) == "closed"
