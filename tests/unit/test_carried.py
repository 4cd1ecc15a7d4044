"""Carried commitments, pure: the next meeting postpones or hands over an open commitment of a
closed earlier meeting (one correction there), and lists the open ones of the meetings before it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain.carried import carried_commitments, origin_of
from service.domain.errors import Conflict, Invalid
from service.domain.rules import decide
from service.domain.state import WorkshopState
from tests.unit.test_rules import NOW, created, given, planned, then


def _made(cid: str = "c", due: date | None = None) -> e.CommitmentMade:
    owner = e.Person("o", "Olga", "olga@example.org")
    return e.CommitmentMade(at=NOW, commitment_id=cid, session_id="s", owner=owner, text=f"Flyer {cid}", due=due)


def _closed_meeting(*events: e.Event) -> WorkshopState:
    return given(created(), planned(), *events, e.SessionClosed(at=NOW, session_id="s"), e.WorkshopClosed(at=NOW))


def test_a_closed_meeting_takes_a_new_date_and_a_new_owner_for_an_open_commitment() -> None:
    state = _closed_meeting(_made(due=date(2026, 6, 1)))
    postponed = decide(state, c.PostponeCommitment(commitment_id="c", due=date(2026, 7, 1)), NOW)
    assert postponed == [e.CommitmentCorrected(at=NOW, commitment_id="c", due=date(2026, 7, 1))]
    then(state, postponed)
    assert decide(state, c.PostponeCommitment(commitment_id="c", due=date(2026, 7, 1)), NOW) == []
    dora = e.Person("d", "Dora", "dora@example.org")
    handed = decide(state, c.HandOverCommitment(commitment_id="c", owner=dora), NOW)
    then(state, handed)
    assert (state.commitments["c"].owner, state.commitments["c"].due) == (dora, date(2026, 7, 1))
    with pytest.raises(Conflict):  # other corrections stay closed
        decide(state, c.CorrectCommitment(commitment_id="c", text="anders"), NOW)


def test_only_open_commitments_are_carried_on_and_a_new_owner_needs_a_name() -> None:
    state = _closed_meeting(_made(), e.CommitmentCompleted(at=NOW, commitment_id="c"))
    with pytest.raises(Conflict):
        decide(state, c.PostponeCommitment(commitment_id="c", due=date(2026, 7, 1)), NOW)
    open_one = _closed_meeting(_made())
    with pytest.raises(Invalid):
        decide(open_one, c.HandOverCommitment(commitment_id="c", owner=e.Person("x", "")), NOW)


def test_the_list_holds_the_open_commitments_of_earlier_meetings_latest_first() -> None:
    first, second, third, now = WorkshopState(id="w1"), WorkshopState(id="w2"), WorkshopState(id="w3"), NOW
    for meeting, cids in ((first, ("a", "b")), (second, ("c",)), (third, ("d",))):
        for event in (created(), planned(), *(_made(cid, due=now.date() - timedelta(days=1)) for cid in cids)):
            then(meeting, [event])
    then(first, [e.CommitmentCompleted(at=NOW, commitment_id="b")])
    listed = carried_commitments([first, second, third], "w3", now)
    assert [(entry.id, entry.origin_workshop_id, entry.overdue) for entry in listed] == [
        ("c", "w2", True),
        ("a", "w1", True),
    ]
    assert carried_commitments([first, second, third], "w1", now) == []
    assert carried_commitments([first, second], "elsewhere", now) == []
    assert origin_of([first, second, third], "w3", "b") is first  # a done one is still found (done twice: no-op)
    assert origin_of([first, second, third], "w2", "d") is None  # later meetings are not carried back
