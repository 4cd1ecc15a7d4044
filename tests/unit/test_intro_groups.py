"""A newcomer's intro talk comes before their first meeting of a working group (a session that
names its group): its start is the talk's latest time, not sign-up + `intro_deadline`."""

from __future__ import annotations

from datetime import timedelta

from service.domain import events as e
from service.domain.intro import newcomers
from tests.unit.test_rules import NOW, created, given


def _planned(sid: str, days: int) -> e.SessionPlanned:
    return e.SessionPlanned(
        at=NOW, session_id=sid, title=sid, format="thementisch", starts_at=NOW + timedelta(days=days)
    )


def _new(sid: str) -> e.SignupRecorded:
    person = e.Person("p", "Nele Neu")
    return e.SignupRecorded(
        at=NOW,
        signup_id=f"a-{sid}",
        session_id=sid,
        participant_id="p",
        person=person,
        newcomer=True,
        status="confirmed",
    )


def test_the_talk_comes_before_the_first_meeting_of_a_working_group() -> None:
    grouped = given(
        created(), _planned("ag", 3), e.SessionGroupNamed(at=NOW, session_id="ag", group_id="g"), _new("ag")
    )
    assert newcomers(grouped)["p"].deadline == NOW + timedelta(days=3)
    plain = given(created(), _planned("t", 3), _new("t"))
    assert newcomers(plain)["p"].deadline == NOW + plain.intro_deadline  # no group: as before
