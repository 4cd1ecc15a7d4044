"""The network aggregate's rules and the folds across its meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain import network as n
from service.domain.errors import NotFound
from service.domain.events import Person
from service.domain.network_report import members_present
from service.domain.organisations import members_named
from service.domain.rules import decide, evolve
from service.domain.state import WorkshopState, groups_of
from tests.unit.test_network_report import _signup as signup
from tests.unit.test_network_report import workshop_created

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


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
    assert (members_named([typed], {"m": member}) == {"m"}) is same


def _meeting_where(*typed: str) -> WorkshopState:
    """A meeting whose table was open when people who typed these organisations signed up."""
    day = datetime(2026, 3, 10, 17, tzinfo=UTC)
    meeting = WorkshopState(id="w1")
    history: list[e.Event] = [
        workshop_created("w1", day),
        e.SessionPlanned(at=day, session_id="t", title="Tisch", format="thementisch"),
        e.SessionOpened(at=day, session_id="t"),
        *(signup(i, day, organisation=name) for i, name in enumerate(typed)),
    ]
    for event in history:
        evolve(meeting, event)
    return meeting


def test_a_name_two_members_fit_counts_for_neither_on_the_page_as_in_the_report() -> None:
    state = _network()
    _run(state, n.AddMember(member_id="region", organisation="AWO Region Hannover e.V."))
    _run(state, n.AddMember(member_id="south", organisation="AWO Südstadt"))
    members = {"region": "AWO Region Hannover e.V.", "south": "AWO Südstadt"}

    ambiguous = _meeting_where("AWO")
    assert [a.came_to for a in n.member_attendance(state, [ambiguous])] == [(), ()]
    assert members_present(ambiguous, members) == []

    clear = _meeting_where("awo südstadt")
    assert {a.member_id: a.came_to for a in n.member_attendance(state, [clear])} == {"region": (), "south": ("w1",)}
    assert members_present(clear, members) == ["south"]


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


def _group_meeting(wid: str, day: datetime, *events: e.Event) -> WorkshopState:
    """A meeting of the network with two tables of working group "g"."""
    meeting = WorkshopState(id=wid)
    history: list[e.Event] = [workshop_created(wid, day)]
    for table in ("t", "u"):
        history.append(e.SessionPlanned(at=day, session_id=table, title=table, format="thementisch"))
        history.append(e.SessionGroupNamed(at=day, session_id=table, group_id="g"))
    for event in (*history, *events):
        evolve(meeting, event)
    return meeting


def _joined(n: int, at: datetime, table: str = "t") -> e.SignupRecorded:
    return msgspec.structs.replace(signup(n, at), signup_id=f"a{n}-{table}", session_id=table)


def _left(n: int, at: datetime) -> e.GroupLeft:
    return e.GroupLeft(at=at, participant_id=f"p{n}", group_id="g")


def test_whoever_left_a_group_and_signed_up_to_a_later_session_of_it_is_a_member_again() -> None:
    spring, autumn = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 9, 10, tzinfo=UTC)
    first = _group_meeting("w1", spring, _joined(1, spring), _joined(2, spring), _left(1, spring + HOUR))
    assert [m.name for m in n.group_members("g", [first])] == ["Person 2"]

    second = _group_meeting("w2", autumn, _joined(1, autumn))
    assert [m.name for m in n.group_members("g", [first, second])] == ["Person 1", "Person 2"]

    # the last word counts, whatever the order of the meetings: leaving in spring after signing
    # up in advance to the autumn meeting is leaving
    in_advance = _group_meeting("w2", autumn, _joined(1, spring))
    assert [m.name for m in n.group_members("g", [first, in_advance])] == ["Person 2"]


def test_within_one_meeting_a_person_leaves_rejoins_and_leaves_again() -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC)
    meeting = _group_meeting("w1", day, _joined(1, day), _left(1, day + HOUR))
    assert groups_of(meeting, "p1") == []
    assert decide(meeting, c.LeaveGroup(participant_id="p1", group_id="g"), day + 2 * HOUR) == []

    evolve(meeting, _joined(1, day + 3 * HOUR, table="u"))
    assert groups_of(meeting, "p1") == ["g"]
    assert [m.name for m in n.group_members("g", [meeting])] == ["Person 1"]
    again = decide(meeting, c.LeaveGroup(participant_id="p1", group_id="g"), day + 4 * HOUR)
    assert [type(event).__name__ for event in again] == ["GroupLeft"]
    for event in again:
        evolve(meeting, event)
    assert groups_of(meeting, "p1") == [] and n.group_members("g", [meeting]) == []


def test_a_contact_person_replaced_or_dropped_is_erased_and_the_successor_has_a_subject_of_their_own() -> None:
    state = _network()
    _run(state, n.AddMember(member_id="m", organisation="AWO", contact=Person("contact-m", "Petra", "p@example.org")))
    successor = Person("contact-m-3", "Paul", "paul@example.org")
    assert _run(state, n.ChangeMember(member_id="m", contact=successor)) == ["NetworkMemberChanged", "PersonErased"]
    assert state.members["m"].contact is successor
    assert [p.subject for p in state.people() if not p.erased] == ["contact-m-3"]

    assert _run(state, n.ChangeMember(member_id="m", drop_contact=True)) == ["PersonErased"]
    assert all(p.erased for p in state.people())
    assert _run(state, n.ChangeMember(member_id="m", drop_contact=True)) == []  # nothing left to erase


def test_a_group_gets_a_new_title_and_patron_and_ends_with_its_patron_erased() -> None:
    state = _network()
    _run(state, n.FormGroup(group_id="g", title="AG", patron=Person("patron-g", "Bernd", "b@example.org")))
    assert _run(state, n.ChangeGroup(group_id="g", title="AG")) == []
    successor = Person("patron-g-3", "Berta", "berta@example.org")
    assert _run(state, n.ChangeGroup(group_id="g", title="AG Verkehr", patron=successor)) == [
        "WorkingGroupChanged",
        "PersonErased",
    ]
    assert (state.groups["g"].title, state.groups["g"].patron) == ("AG Verkehr", successor)

    assert _run(state, n.EndGroup(group_id="g")) == ["WorkingGroupEnded", "PersonErased"]
    assert "g" not in state.groups and state.ended_groups["g"].title == "AG Verkehr"
    assert all(p.erased for p in state.people())
    for command in (n.EndGroup(group_id="g"), n.ChangeGroup(group_id="g", title="X")):
        with pytest.raises(NotFound):
            n.decide(state, command, NOW)
