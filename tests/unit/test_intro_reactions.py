"""Intro talks react to newcomers and slots: scheduled, kept, moved, cancelled, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain import events as e
from service.domain.intro import intro_talks, react
from service.domain.rules import evolve
from service.domain.state import WorkshopState

NOW = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


OPENING: list[e.Event] = [
    e.WorkshopCreated(
        at=NOW,
        workshop_id="w",
        title="W",
        starts_at=NOW,
        ends_at=NOW + HOUR,
        intro_deadline=timedelta(days=14),
        facilitator_token_hash="h",
        login_code_hash="l",
    ),
    e.SessionPlanned(at=NOW, session_id="s", title="Tisch", format="thementisch", next_meeting_at=NOW + 48 * HOUR),
]


def workshop(*events: e.Event) -> WorkshopState:
    state = WorkshopState(id="w")
    for event in (*OPENING, *events):
        evolve(state, event)
    return state


def newcomer(n: int, language: e.Language = "de") -> e.SignupRecorded:
    return e.SignupRecorded(
        at=NOW,
        signup_id=f"a{n}",
        session_id="s",
        participant_id=f"p{n}",
        person=e.Person(f"p{n}", f"Neu {n}"),
        newcomer=True,
        status="confirmed",
        language=language,
    )


def slot(slot_id: str, hours: int, capacity: int = 1, host: str = "agnes") -> e.IntroSlotOffered:
    return e.IntroSlotOffered(
        at=NOW,
        slot_id=slot_id,
        host=e.Person(host, host.title(), f"{host}@example.org"),
        starts_at=NOW + hours * HOUR,
        capacity=capacity,
    )


def settle(state: WorkshopState) -> list[e.Event]:
    decided = react(state, NOW)
    for event in decided:
        evolve(state, event)
    return decided


def test_a_newcomer_gets_a_talk_once_a_slot_exists_and_reacting_again_changes_nothing() -> None:
    state = workshop(newcomer(1))
    assert settle(state) == []
    assert intro_talks(state, NOW)[0].reason == "no_slots"
    evolve(state, slot("x", 5))
    assert settle(state) == [e.IntroTalkScheduled(at=NOW, participant_id="p1", slot_id="x", sequence=0)]
    assert settle(state) == []
    (talk,) = intro_talks(state, NOW)
    assert (talk.status, talk.host_name, talk.deadline) == ("scheduled", "Agnes", NOW + 48 * HOUR)


def test_a_scheduled_talk_stays_when_a_better_slot_appears() -> None:
    state = workshop(newcomer(1), slot("late", 30))
    settle(state)
    evolve(state, slot("early", 2))
    assert settle(state) == []
    assert state.intro_talks["p1"].slot_id == "late"


def test_a_withdrawn_slot_moves_its_talk_with_a_higher_sequence() -> None:
    state = workshop(newcomer(1), slot("x", 5, host="agnes"), slot("y", 6, host="bernd"))
    settle(state)
    moved_from = state.intro_talks["p1"].slot_id
    evolve(state, e.IntroSlotWithdrawn(at=NOW, slot_id=moved_from))
    (moved,) = settle(state)
    assert isinstance(moved, e.IntroTalkScheduled)
    assert (moved.sequence, moved.previous_slot_id) == (1, moved_from) and moved.slot_id != moved_from


def test_without_another_slot_the_talk_is_cancelled_and_listed_with_a_reason() -> None:
    state = workshop(newcomer(1), slot("x", 5))
    settle(state)
    evolve(state, e.IntroSlotWithdrawn(at=NOW, slot_id="x"))
    (cancelled,) = settle(state)
    assert isinstance(cancelled, e.IntroTalkCancelled) and cancelled.sequence == 1
    (line,) = intro_talks(state, NOW)
    assert (line.status, line.reason) == ("unscheduled", "no_slots")


def test_a_newcomer_who_withdraws_loses_the_talk_and_frees_the_place() -> None:
    state = workshop(newcomer(1), newcomer(2), slot("x", 5))
    settle(state)
    holder = next(iter(state.intro_slots["x"].talks))
    waiting = "p2" if holder == "p1" else "p1"
    evolve(state, e.SignupWithdrawn(at=NOW, signup_id="a" + holder[1:]))
    decided = settle(state)
    assert [type(d).__name__ for d in decided] == ["IntroTalkCancelled", "IntroTalkScheduled"]
    assert state.intro_slots["x"].talks == {waiting}


def test_a_slot_never_takes_more_talks_than_its_capacity() -> None:
    state = workshop(*(newcomer(n) for n in range(5)), slot("x", 5, capacity=2))
    settle(state)
    assert len(state.intro_slots["x"].talks) == 2
    assert sorted(line.reason or "" for line in intro_talks(state, NOW)) == ["", "", "all_full", "all_full", "all_full"]


def test_only_people_who_said_they_are_new_get_a_talk() -> None:
    unknown = e.SignupRecorded(
        at=NOW,
        signup_id="a9",
        session_id="s",
        participant_id="p9",
        person=e.Person("p9", "Ohne Angabe"),
        newcomer=False,
        newcomer_known=False,
        status="confirmed",
    )
    state = workshop(slot("x", 2, capacity=5), unknown, newcomer(1))
    scheduled = {event.participant_id for event in react(state, NOW) if isinstance(event, e.IntroTalkScheduled)}
    assert scheduled == {"p1"}


def test_a_correction_plans_or_cancels_the_talk_at_once() -> None:
    state = workshop(slot("x", 2), newcomer(1))
    for event in react(state, NOW):
        evolve(state, event)
    evolve(state, e.NewcomerCorrected(at=NOW, participant_id="p1", newcomer=False))
    (cancelled,) = react(state, NOW)
    assert isinstance(cancelled, e.IntroTalkCancelled) and cancelled.reason == "no_longer_newcomer"
    evolve(state, cancelled)
    evolve(state, e.NewcomerCorrected(at=NOW, participant_id="p1", newcomer=True))
    (again,) = react(state, NOW)
    assert isinstance(again, e.IntroTalkScheduled) and again.participant_id == "p1"


def test_one_person_at_two_tables_gets_one_talk() -> None:
    second_table = e.SessionPlanned(at=NOW, session_id="t", title="Zweiter Tisch", format="thementisch")
    twice = e.SignupRecorded(
        at=NOW,
        signup_id="b1",
        session_id="t",
        participant_id="p1",
        person=e.Person("p1", "Neu 1"),
        newcomer=True,
        status="confirmed",
    )
    state = workshop(slot("x", 2, host="agnes"), slot("y", 3, host="bert"), newcomer(1), second_table, twice)
    talks = [event for event in react(state, NOW) if isinstance(event, e.IntroTalkScheduled)]
    assert [talk.participant_id for talk in talks] == ["p1"]
