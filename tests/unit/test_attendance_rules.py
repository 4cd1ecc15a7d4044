"""Who came, and whose place goes to the waitlist at the start."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict
from service.domain.rules import decide
from service.domain.state import present
from tests.unit.test_rules import NOW, created, given, planned, signup, then

LATER = NOW + timedelta(minutes=30)


def _at(event: e.SignupRecorded, moment: object) -> e.SignupRecorded:
    return msgspec.structs.replace(event, at=moment)


def test_a_signup_while_open_is_present_and_one_before_is_not_until_marked() -> None:
    state = given(
        created(), planned(capacity=5), signup(1), e.SessionOpened(at=NOW + timedelta(minutes=1), session_id="s")
    )
    then(state, [_at(signup(2), LATER)])
    session = state.sessions["s"]
    assert [present(state.signups[s], session) for s in ("a1", "a2")] == [False, True]
    marked = decide(state, c.MarkAttendance(signup_id="a1", present=True), LATER)
    assert marked == [e.AttendanceMarked(at=LATER, signup_id="a1", present=True)]
    then(state, marked)
    assert present(state.signups["a1"], session)
    assert decide(state, c.MarkAttendance(signup_id="a1", present=True), LATER) == []
    assert decide(state, c.MarkAttendance(signup_id="a2", present=True), LATER) == []


def test_release_frees_the_places_of_people_not_there_and_promotes_people_here_first() -> None:
    opened = NOW + timedelta(minutes=10)
    state = given(
        created(),
        planned(capacity=2),
        signup(1),
        signup(2),
        signup(3, "waitlisted"),
        signup(4, "waitlisted"),
        e.SessionOpened(at=opened, session_id="s"),
        e.AttendanceMarked(at=LATER, signup_id="a1", present=True),
        e.AttendanceMarked(at=LATER, signup_id="a4", present=True),
    )
    with pytest.raises(Conflict):
        decide(given(created(), planned(capacity=2), signup(1)), c.ReleaseAbsent(session_id="s"), LATER)
    released = decide(state, c.ReleaseAbsent(session_id="s"), LATER)
    assert released == [
        e.PlaceReleased(at=LATER, signup_id="a2"),
        e.WaitlistPromoted(at=LATER, signup_id="a4"),  # here, so before a3 who waits longer
    ]
    then(state, released)
    assert state.sessions["s"].confirmed == ["a1", "a4"]
    assert state.signups["a2"].status == "withdrawn"
    assert decide(state, c.ReleaseAbsent(session_id="s"), LATER) == []  # a4's place is theirs since the start
    with pytest.raises(Conflict):
        decide(state, c.MarkAttendance(signup_id="a2", present=True), LATER)


def test_a_walk_in_before_the_session_opens_is_marked_present() -> None:
    state = given(created(), planned())
    command = c.RecordSignup(
        signup_id="w1", session_id="s", participant_id="pw", person=e.Person("pw", "Walk"), consent=True, present=True
    )
    (recorded, marked) = decide(state, command, NOW)
    assert isinstance(recorded, e.SignupRecorded)
    assert marked == e.AttendanceMarked(at=NOW, signup_id="w1", present=True)
