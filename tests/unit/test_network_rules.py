"""The network aggregate's rules and the folds across its meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.domain import network as n
from service.domain.errors import NotFound
from service.domain.events import Person

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _network() -> n.NetworkState:
    state = n.NetworkState(id="net-a")
    n.fold(state, enumerate(n.decide(state, n.CreateNetwork(network_id="net-a", name="N"), NOW), start=1))
    return state


def _run(state: n.NetworkState, command: n.NetworkCommand) -> list[object]:
    events = n.decide(state, command, NOW)
    n.fold(state, enumerate(events, start=state.version + 1))
    return [type(event).__name__ for event in events]


@pytest.mark.parametrize(
    ("member", "typed", "same"),
    [
        ("AWO Region Hannover e.V.", "AWO", True),
        ("AWO", "awo  region hannover", True),
        ("AWO Region Hannover e.V.", "AWOX", False),
        ("Stadtteilverein Linden", "stadtteilverein linden", True),
        ("Caritas", None, False),
        ("VHS", "VH", False),  # too short to stand for a longer name
    ],
)
def test_what_someone_typed_names_a_member_organisation(member: str, typed: str | None, same: bool) -> None:
    assert n.same_organisation(member, typed) is same


def test_a_member_changes_only_what_differs_and_removing_it_erases_its_contact() -> None:
    state = _network()
    contact = Person("contact-m", "Petra", "petra@example.org")
    assert _run(state, n.AddMember(member_id="m", organisation="AWO", contact=contact)) == ["NetworkMemberAdded"]
    assert _run(state, n.ChangeMember(member_id="m", organisation="AWO", contact=contact)) == []
    assert _run(state, n.ChangeMember(member_id="m", role="speaker")) == ["NetworkMemberChanged"]
    assert state.members["m"].role == "speaker"
    assert _run(state, n.RemoveMember(member_id="m")) == ["NetworkMemberRemoved", "PersonErased"]
    assert state.members["m"].contact is not None and state.members["m"].contact.erased
    with pytest.raises(NotFound):
        n.decide(state, n.RemoveMember(member_id="m"), NOW)


def test_a_member_is_away_a_year_after_its_last_meeting_or_its_agreement() -> None:
    state = _network()
    _run(state, n.AddMember(member_id="old", organisation="A", agreement_signed_at=date(2024, 1, 1)))
    _run(state, n.AddMember(member_id="new", organisation="B", agreement_signed_at=date(2026, 6, 1)))
    _run(state, n.AddMember(member_id="came", organisation="C", agreement_signed_at=date(2020, 1, 1)))
    attendance = [
        n.MemberAttendance("old", (), None),
        n.MemberAttendance("new", (), None),
        n.MemberAttendance("came", ("w",), datetime(2026, 3, 1, tzinfo=UTC)),
    ]
    assert n.away_for_a_year(state, attendance, NOW) == ["old"]
