"""Automatic placement of barcamp proposals: each rule as a property under hypothesis, and
examples a facilitator would recognise."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.placement import Proposal, Result, Room, conflicts, greedy, place

Fixed = list[tuple[Proposal, str, int]]
PEOPLE = [f"p{n}" for n in range(12)]


@st.composite
def grids(draw: st.DrawFn, distinct_proposers: bool = False) -> tuple[list[Room], int, Fixed, list[Proposal]]:
    """Rooms, slots, some proposals placed by hand before, and the candidates."""
    rooms = [Room(f"r{i}", draw(st.integers(1, 40))) for i in range(draw(st.integers(1, 5)))]
    slots = draw(st.integers(1, 4))
    cells = [(room.name, slot) for room in rooms for slot in range(slots)]
    taken = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells) // 2))
    proposers = [f"x{n}" for n in range(4)]
    fixed: Fixed = []
    busy: set[tuple[str, int]] = set()
    for n, (room, slot) in enumerate(taken):
        proposer = draw(st.sampled_from([None, *proposers]))
        if distinct_proposers or (proposer, slot) in busy:
            proposer = None
        busy.add((proposer or "", slot))
        interested = frozenset(draw(st.lists(st.sampled_from(PEOPLE), max_size=6)))
        fixed.append((Proposal(f"f{n}", len(interested), proposer, interested), room, slot))
    candidates = []
    for n in range(draw(st.integers(0, 16))):
        interested = frozenset(draw(st.lists(st.sampled_from(PEOPLE), max_size=8)))
        hands = draw(st.integers(0, 50))
        proposer = f"c{n}" if distinct_proposers else draw(st.sampled_from([None, *proposers]))
        candidates.append(Proposal(f"c{n}", max(hands, len(interested)), proposer, interested))
    return rooms, slots, fixed, candidates


def _cells(fixed: Fixed, result: Result) -> list[tuple[str, int]]:
    return [(room, slot) for _, room, slot in fixed] + [(p.room, p.slot) for p in result.placed]


def _proposers_by_slot(fixed: Fixed, result: Result, candidates: Sequence[Proposal]) -> list[tuple[str, int]]:
    by_id = {p.id: p for p in candidates}
    found = [(p.proposer, slot) for p, _, slot in fixed if p.proposer]
    found += [(by_id[p.proposal_id].proposer, p.slot) for p in result.placed if by_id[p.proposal_id].proposer]
    return [(str(proposer), slot) for proposer, slot in found]


@settings(max_examples=150, deadline=None)
@given(grids())
def test_one_session_per_room_and_slot_and_every_proposal_answered(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    result = place(rooms, slots, fixed, candidates)
    cells = _cells(fixed, result)
    assert len(cells) == len(set(cells))
    assert all(room in {r.name for r in rooms} and 0 <= slot < slots for room, slot in cells)
    answered = [p.proposal_id for p in result.placed] + [u.proposal_id for u in result.unplaced]
    assert sorted(answered) == sorted(p.id for p in candidates)
    if any(u.reason == "no_free_cell" for u in result.unplaced):
        assert len(cells) == len(rooms) * slots


@settings(max_examples=150, deadline=None)
@given(grids())
def test_no_proposer_is_in_two_rooms_of_one_slot(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    result = place(rooms, slots, fixed, candidates)
    pairs = _proposers_by_slot(fixed, result, candidates)
    assert len(pairs) == len(set(pairs))


@settings(max_examples=150, deadline=None)
@given(grids())
def test_more_interest_is_never_in_a_smaller_room_unless_a_proposer_forbids_the_swap(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    result = place(rooms, slots, fixed, candidates)
    capacity = {room.name: room.capacity for room in rooms}
    by_id = {p.id: p for p in candidates}
    busy = {(proposer, slot) for proposer, slot in _proposers_by_slot(fixed, result, candidates)}
    for a in result.placed:
        for b in result.placed:
            pa, pb = by_id[a.proposal_id], by_id[b.proposal_id]
            if pa.interest > pb.interest and capacity[a.room] < capacity[b.room]:
                # trading cells would put a proposer twice into a slot
                assert a.slot != b.slot
                a_blocked = pa.proposer is not None and pa.proposer != pb.proposer and (pa.proposer, b.slot) in busy
                b_blocked = pb.proposer is not None and pb.proposer != pa.proposer and (pb.proposer, a.slot) in busy
                assert a_blocked or b_blocked, (a, b)


@settings(max_examples=150, deadline=None)
@given(grids(distinct_proposers=True))
def test_with_one_proposal_each_more_interest_always_gets_the_larger_room(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    result = place(rooms, slots, fixed, candidates)
    capacity = {room.name: room.capacity for room in rooms}
    interest = {p.id: p.interest for p in candidates}
    for a in result.placed:
        for b in result.placed:
            if interest[a.proposal_id] > interest[b.proposal_id]:
                assert capacity[a.room] >= capacity[b.room]
    free = len(rooms) * slots - len(fixed)
    assert len(result.placed) == min(free, len(candidates))  # nobody left out while a cell is free


@settings(max_examples=150, deadline=None)
@given(grids(distinct_proposers=True))
def test_capacity_at_least_the_interest_wherever_a_room_allows_it(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    result = place(rooms, slots, fixed, candidates)
    taken = set(_cells(fixed, result))
    interest = {p.id: p.interest for p in candidates}
    for placed in result.placed:
        room = next(r for r in rooms if r.name == placed.room)
        if room.capacity < interest[placed.proposal_id]:
            large_enough = [r for r in rooms if r.capacity >= interest[placed.proposal_id]]
            assert all((r.name, s) in taken for r in large_enough for s in range(slots)), placed


@settings(max_examples=150, deadline=None)
@given(grids(distinct_proposers=True))
def test_co_interest_conflicts_are_never_more_than_the_greedy_baselines(grid: tuple) -> None:
    rooms, slots, fixed, candidates = grid
    ours = conflicts(rooms, fixed, place(rooms, slots, fixed, candidates), candidates)
    baseline = conflicts(rooms, fixed, greedy(rooms, slots, fixed, candidates), candidates)
    assert ours <= baseline


def test_people_interested_in_two_proposals_find_them_in_different_slots() -> None:
    """Greedy puts the three most wanted proposals into the big room's slots in order and the
    next ones into the small room's, so the two that the same ten people want meet in slot 0."""
    crowd = frozenset(f"p{n}" for n in range(10))
    others = frozenset(f"q{n}" for n in range(20))
    rooms = [Room("Saal", 60), Room("Raum", 12)]
    candidates = [
        Proposal("klima", 30, "a", crowd | others),
        Proposal("kultur", 25, "b", others),
        Proposal("mobil", 11, "c", crowd),
        Proposal("sport", 5, "d", frozenset()),
    ]
    baseline = greedy(rooms, 2, [], candidates)
    ours = place(rooms, 2, [], candidates)
    slot = {p.proposal_id: p.slot for p in ours.placed}
    assert slot["klima"] != slot["mobil"]
    assert conflicts(rooms, [], ours, candidates) < conflicts(rooms, [], baseline, candidates)
    assert {p.proposal_id: p.room for p in ours.placed} == {
        "klima": "Saal",
        "kultur": "Saal",
        "mobil": "Raum",
        "sport": "Raum",
    }


def test_a_proposer_busy_in_every_free_slot_stays_unplaced_with_the_reason() -> None:
    rooms = [Room("Saal", 20), Room("Raum", 10)]
    fixed: Fixed = [(Proposal("own", 5, "anna"), "Saal", 0), (Proposal("other", 5, "ben"), "Saal", 1)]
    candidates = [Proposal("second", 3, "anna"), Proposal("third", 2, "anna")]
    result = place(rooms, 2, fixed, candidates)
    assert [(p.proposal_id, p.room, p.slot) for p in result.placed] == [("second", "Raum", 1)]
    assert [(u.proposal_id, u.reason) for u in result.unplaced] == [("third", "proposer_busy")]


def test_more_proposals_than_cells_leave_the_least_wanted_out() -> None:
    rooms = [Room("Saal", 20)]
    candidates = [Proposal(f"p{n}", n) for n in range(4)]
    result = place(rooms, 2, [], candidates)
    assert sorted(p.proposal_id for p in result.placed) == ["p2", "p3"]
    assert sorted((u.proposal_id, u.reason) for u in result.unplaced) == [
        ("p0", "no_free_cell"),
        ("p1", "no_free_cell"),
    ]


def test_each_room_and_slot_holds_one_session_beside_those_placed_by_hand() -> None:
    """Seven proposals for the five cells left free beside a session placed by hand: each
    cell gets one, the hand-placed one keeps its own, and the two least wanted stay out."""
    rooms = [Room("Saal", 40), Room("Raum", 12)]
    fixed: Fixed = [(Proposal("vorher", 8, "z"), "Raum", 1)]
    candidates = [Proposal(f"p{n}", n + 1, f"x{n}") for n in range(7)]
    result = place(rooms, 3, fixed, candidates)
    cells = _cells(fixed, result)
    assert len(cells) == len(set(cells))
    assert sorted(cells) == sorted((room.name, slot) for room in rooms for slot in range(3))
    assert ("Raum", 1) not in [(p.room, p.slot) for p in result.placed]
    assert sorted((u.proposal_id, u.reason) for u in result.unplaced) == [
        ("p0", "no_free_cell"),
        ("p1", "no_free_cell"),
    ]


def test_a_room_holds_the_interest_unless_every_room_large_enough_is_taken() -> None:
    """The hall is taken in slot 0, so "klima" (25) gets its other slot; "kultur" (20) fits no
    room left and goes to the next largest; the others get a room as large as their interest."""
    rooms = [Room("Saal", 30), Room("Raum", 10), Room("Ecke", 6)]
    fixed: Fixed = [(Proposal("vorher", 3, "z"), "Saal", 0)]
    candidates = [
        Proposal("klima", 25, "a"),
        Proposal("kultur", 20, "b"),
        Proposal("mobil", 9, "c"),
        Proposal("garten", 6, "d"),
        Proposal("sport", 5, "e"),
    ]
    result = place(rooms, 2, fixed, candidates)
    capacity = {room.name: room.capacity for room in rooms}
    interest = {p.id: p.interest for p in candidates}
    placed = {p.proposal_id: (p.room, p.slot) for p in result.placed}
    assert placed["klima"] == ("Saal", 1)
    assert {name: room for name, (room, _slot) in placed.items()} == {
        "klima": "Saal",
        "kultur": "Raum",
        "mobil": "Raum",
        "garten": "Ecke",
        "sport": "Ecke",
    }
    too_small = [name for name, (room, _slot) in placed.items() if capacity[room] < interest[name]]
    assert too_small == ["kultur"]  # no room of 20 or more had a free cell
