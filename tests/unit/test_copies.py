"""A workshop copied to another date keeps its local times, across a change to summer time; a
change of the workshop's details records only what differs."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain.copies import Fresh, copy_command, shifted, wall_clock_offset
from service.domain.errors import Conflict, Invalid
from service.domain.rules import decide, evolve
from service.domain.state import WorkshopState
from tests.unit.test_rules import NOW, created, given, signup

BERLIN = ZoneInfo("Europe/Berlin")


def _berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


def test_a_session_at_six_in_winter_time_is_at_six_in_summer_time() -> None:
    offset = wall_clock_offset(_berlin(2026, 3, 20, 10), _berlin(2026, 4, 17, 10), "Europe/Berlin")
    assert offset == timedelta(days=28)
    moved = shifted(_berlin(2026, 3, 20, 18), offset, "Europe/Berlin")
    assert moved.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %z") == "2026-04-17 18:00 +0200"
    back = shifted(moved, -offset, "Europe/Berlin")
    assert back.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %z") == "2026-03-20 18:00 +0100"


def test_a_local_time_the_clock_skips_comes_out_an_hour_later() -> None:
    moved = shifted(_berlin(2026, 3, 28, 2, 30), timedelta(days=1), "Europe/Berlin")
    assert moved.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %z") == "2026-03-29 03:30 +0200"


def _source() -> WorkshopState:
    march = e.WorkshopCreated(
        at=NOW,
        workshop_id="w",
        title="Netzwerktreffen März",
        starts_at=_berlin(2026, 3, 20, 16),
        ends_at=_berlin(2026, 3, 20, 21),
        timezone="Europe/Berlin",
        location="Rathaus",
        language="en",
        follow_up_after=timedelta(days=2),
        intro_deadline=timedelta(days=10),
        facilitator_token_hash="h",
        login_code_hash="l",
        organiser=e.Person("organiser-w", None, "orga@example.org"),
    )
    session = e.SessionPlanned(
        at=NOW,
        session_id="s",
        title="Tisch",
        format="thementisch",
        room="Saal 2",
        starts_at=_berlin(2026, 3, 20, 18),
        ends_at=_berlin(2026, 3, 20, 19, 30),
        capacity=12,
        host="Agnes",
        next_meeting_at=_berlin(2026, 4, 1, 18),
        table_code="T1",
        short_code="ABCD",
    )
    slot = e.IntroSlotOffered(
        at=NOW, slot_id="i", host=e.Person("i", "Hanna", "hanna@example.org"), starts_at=_berlin(2026, 3, 21, 9)
    )
    gone = e.IntroSlotOffered(at=NOW, slot_id="j", host=e.Person("j", "Jo"), starts_at=_berlin(2026, 3, 21, 11))
    note = e.NoteTaken(at=NOW, note_id="n", session_id="s", text="Notiz")
    return given(march, session, slot, gone, e.IntroSlotWithdrawn(at=NOW, slot_id="j"), signup(1), note)


def _copy(source: WorkshopState, starts_at: datetime) -> c.CopyWorkshop:
    create = c.CreateWorkshop(
        workshop_id="w2",
        title="Netzwerktreffen April",
        starts_at=starts_at,
        ends_at=starts_at,
        facilitator_token_hash="h2",
        login_code_hash="l2",
        organiser=e.Person("organiser-w2", None, "orga@example.org"),
    )
    ids = (f"n{n}" for n in itertools.count())
    return copy_command(source, Fresh(create, lambda: next(ids), iter(["WXYZ"]), lambda: "T2"))


def test_a_copy_has_the_settings_sessions_and_slots_at_the_same_local_times_and_no_people() -> None:
    source = _source()
    command = _copy(source, _berlin(2026, 4, 17, 16))
    copy = WorkshopState(id="w2")
    for event in decide(copy, command, NOW):
        evolve(copy, event)
    assert copy.title == "Netzwerktreffen April"
    assert (copy.location, copy.language, copy.timezone) == ("Rathaus", "en", "Europe/Berlin")
    assert (copy.follow_up_after, copy.intro_deadline) == (timedelta(days=2), timedelta(days=10))
    assert copy.starts_at == _berlin(2026, 4, 17, 16) and copy.ends_at == _berlin(2026, 4, 17, 21)
    assert copy.starts_at is not None and copy.starts_at.utcoffset() == timedelta(hours=2)
    [session] = copy.sessions.values()
    assert (session.title, session.room, session.capacity, session.host) == ("Tisch", "Saal 2", 12, "Agnes")
    assert session.id not in source.sessions and (session.short_code, session.table_code) == ("WXYZ", "T2")
    local = [t.astimezone(BERLIN).strftime("%d.%m. %H:%M") for t in (session.starts_at, session.ends_at)]  # type: ignore[union-attr]
    assert local == ["17.04. 18:00", "17.04. 19:30"]
    assert session.next_meeting_at == _berlin(2026, 4, 29, 18)
    [slot] = copy.intro_slots.values()  # the withdrawn one stays behind
    assert (slot.host.name, slot.host.email, slot.host.subject) == ("Hanna", "hanna@example.org", slot.id)
    assert slot.starts_at.astimezone(BERLIN).strftime("%d.%m. %H:%M") == "18.04. 09:00"
    assert (copy.signups, copy.participants, copy.notes, copy.commitments) == ({}, {}, {}, {})
    assert copy.organiser is not None and copy.organiser.subject == "organiser-w2"
    assert copy.login_code_hashes == {"l2"} and copy.facilitator_token_hashes == {"h2"}


def test_a_copy_onto_an_existing_workshop_is_refused() -> None:
    with pytest.raises(Conflict):
        decide(_source(), _copy(_source(), _berlin(2026, 4, 17, 16)), NOW)


def test_a_change_records_only_what_differs_and_nothing_when_nothing_does() -> None:
    state = given(created())
    assert decide(state, c.ChangeWorkshop(title="Barcamp"), NOW) == []
    [event] = decide(state, c.ChangeWorkshop(title="Neu", location="Saal", ends_at=NOW + timedelta(hours=9)), NOW)
    assert event == e.WorkshopChanged(at=NOW, title="Neu", location="Saal", ends_at=NOW + timedelta(hours=9))
    evolve(state, event)
    assert (state.title, state.location, state.ends_at) == ("Neu", "Saal", NOW + timedelta(hours=9))
    evolve(state, decide(state, c.ChangeWorkshop(location=""), NOW)[0])
    assert state.location is None


def test_a_change_that_ends_before_the_start_or_touches_a_closed_workshop_is_refused() -> None:
    state = given(created())
    with pytest.raises(Invalid) as refused:
        decide(state, c.ChangeWorkshop(starts_at=NOW + timedelta(days=1)), NOW)
    assert refused.value.field == "ends_at"
    evolve(state, e.WorkshopClosed(at=NOW))
    with pytest.raises(Conflict):
        decide(state, c.ChangeWorkshop(title="Neu"), NOW)


def test_another_console_link_works_beside_the_first_until_a_rotation() -> None:
    state = given(created())
    evolve(state, decide(state, c.IssueConsoleLink(login_code_hash="l2"), NOW)[0])
    assert state.login_code_hashes == {"l", "l2"}
    evolve(state, e.FacilitatorTokensRotated(at=NOW, token_hash="t", login_code_hash="l3"))
    assert state.login_code_hashes == {"l3"}


def test_a_new_organisers_address_replaces_the_old_but_not_once_it_was_erased() -> None:
    state = given(created())
    team = e.Person("organiser-w", None, "team@example.org")
    [changed] = decide(state, c.ChangeWorkshop(organiser=team), NOW)
    evolve(state, changed)
    assert state.organiser_email == "team@example.org"
    assert decide(state, c.ChangeWorkshop(organiser=team), NOW) == []
    evolve(state, e.PersonErased(at=NOW, subject="organiser-w"))
    with pytest.raises(Conflict):
        decide(state, c.ChangeWorkshop(organiser=e.Person("organiser-w", None, "new@example.org")), NOW)
