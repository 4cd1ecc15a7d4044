"""Automatic placement of barcamp proposals into the grid of rooms × time slots (pure).

The rules, in order of precedence (docs/barcamp.md says why and how):

1. one session per room and slot;
2. no proposer in two rooms of one slot (also with the sessions placed by hand);
3. more interest → a larger room (a proposal with more interest is never in a smaller room than
   one with less, unless a proposer's other session makes the swap impossible);
4. a room's capacity at least the proposal's interest wherever a room allows it (follows from 3:
   the largest rooms are filled first, with the proposals of most interest);
5. people interested in two proposals kept out of the same slot as far as possible: the objective
   `conflicts` (for each slot, each pair of sessions in it, the people who wanted both) is lowered
   by local search over the moves that keep rules 1–4.

`greedy` is the baseline the benchmark compares with: most interest first, into the largest room
with a free cell, in its earliest slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

UnplacedReason = Literal["no_free_cell", "proposer_busy"]
MAX_PASSES = 50


@dataclass(frozen=True, slots=True)
class Room:
    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposal as placement sees it: who proposed it and who wants to go (participant ids)."""

    id: str
    interest: int
    proposer: str | None = None
    interested: frozenset[str] = frozenset()


class Cell(NamedTuple):
    room: int  # index into the rooms
    slot: int


class Placed(NamedTuple):
    proposal_id: str
    room: str
    slot: int


class Unplaced(NamedTuple):
    proposal_id: str
    reason: UnplacedReason


class Result(NamedTuple):
    placed: list[Placed]
    unplaced: list[Unplaced]


@dataclass(slots=True)
class _Board:
    """The grid while placing: who is where, the co-interest between any two proposals."""

    rooms: Sequence[Room]
    slots: int
    proposals: list[Proposal]  # the fixed ones first, then the candidates
    cells: dict[int, Cell] = field(default_factory=dict)  # proposal index → cell
    taken: dict[Cell, int] = field(default_factory=dict)
    members: dict[int, set[int]] = field(default_factory=dict)  # slot → proposal indexes in it
    co: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        people = [p.interested for p in self.proposals]
        self.co = [[len(a & b) if i != j else 0 for j, b in enumerate(people)] for i, a in enumerate(people)]

    def put(self, index: int, cell: Cell) -> None:
        self.cells[index] = cell
        self.taken[cell] = index
        self.members.setdefault(cell.slot, set()).add(index)

    def take(self, index: int) -> Cell:
        cell = self.cells.pop(index)
        del self.taken[cell]
        self.members[cell.slot].discard(index)
        return cell

    def in_slot(self, slot: int) -> set[int]:
        return self.members.get(slot, set())

    def conflict(self, index: int, slot: int, besides: int | None = None) -> int:
        """The co-interest of a proposal with the others in a slot (itself and `besides` left out)."""
        row = self.co[index]
        return sum(row[j] for j in self.in_slot(slot) if j not in (index, besides))

    def proposer_free(self, index: int, slot: int, besides: int | None = None) -> bool:
        proposer = self.proposals[index].proposer
        if proposer is None:
            return True
        return not any(self.proposals[j].proposer == proposer for j in self.in_slot(slot) if j not in (index, besides))

    def capacity(self, index: int) -> int:
        return self.rooms[self.cells[index].room].capacity


def conflicts(
    rooms: Sequence[Room], fixed: Sequence[tuple[Proposal, str, int]], result: Result, candidates: Sequence[Proposal]
) -> int:
    """The objective: over every slot and every pair of sessions in it, the people who wanted both."""
    by_id = {p.id: p for p in candidates}
    slots: dict[int, list[frozenset[str]]] = {}
    for proposal, _, slot in fixed:
        slots.setdefault(slot, []).append(proposal.interested)
    for placed in result.placed:
        slots.setdefault(placed.slot, []).append(by_id[placed.proposal_id].interested)
    total = 0
    for sets in slots.values():
        total += sum(len(a & b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    return total


def _board(
    rooms: Sequence[Room], slots: int, fixed: Sequence[tuple[Proposal, str, int]], candidates: Sequence[Proposal]
) -> _Board:
    board = _Board(rooms, slots, [p for p, _, _ in fixed] + list(candidates))
    index_of = {room.name: i for i, room in enumerate(rooms)}
    for i, (_, room, slot) in enumerate(fixed):
        if room in index_of and 0 <= slot < slots:
            board.put(i, Cell(index_of[room], slot))
    return board


SlotChoice = Callable[[_Board, int, list[int]], int]


def _earliest(_board: _Board, _index: int, slots: list[int]) -> int:
    return slots[0]


def _least_conflict(board: _Board, index: int, slots: list[int]) -> int:
    return min(slots, key=lambda s: (board.conflict(index, s), s))


def _fill(board: _Board, first: int, choose: SlotChoice) -> list[Unplaced]:
    """Most interest first, each into the largest room with a cell its proposer can take."""
    order = sorted(range(first, len(board.proposals)), key=lambda i: (-board.proposals[i].interest, i))
    rooms = sorted(range(len(board.rooms)), key=lambda r: (-board.rooms[r].capacity, r))
    unplaced = []
    for index in order:
        for room in rooms:
            free = [s for s in range(board.slots) if Cell(room, s) not in board.taken]
            usable = [s for s in free if board.proposer_free(index, s)]
            if usable:
                board.put(index, Cell(room, choose(board, index, usable)))
                break
        else:
            full = len(board.taken) >= len(board.rooms) * board.slots
            unplaced.append(Unplaced(board.proposals[index].id, "no_free_cell" if full else "proposer_busy"))
    return unplaced


def _swappable(board: _Board, a: int, b: int) -> bool:
    """Whether a and b may trade cells without putting a proposer twice into a slot."""
    slot_a, slot_b = board.cells[a].slot, board.cells[b].slot
    return slot_a == slot_b or (board.proposer_free(a, slot_b, besides=b) and board.proposer_free(b, slot_a, besides=a))


def _swap(board: _Board, a: int, b: int) -> None:
    cell_a, cell_b = board.take(a), board.take(b)
    board.put(a, cell_b)
    board.put(b, cell_a)


def _repair(board: _Board, first: int) -> bool:
    """Rule 3 wherever a swap allows it: more interest never sits in a smaller room. Each swap
    moves more interest into more capacity, so this ends. True when it swapped any."""
    ours = list(range(first, len(board.proposals)))
    changed, swapped = True, False
    while changed:
        changed = False
        for a in ours:
            for b in ours:
                if a not in board.cells or b not in board.cells:
                    continue
                more = board.proposals[a].interest > board.proposals[b].interest
                if more and board.capacity(a) < board.capacity(b) and _swappable(board, a, b):
                    _swap(board, a, b)
                    changed = swapped = True
    return swapped


def _same_rank(board: _Board, a: int, b: int) -> bool:
    """Trading cells keeps rules 3 and 4 when the rooms are as large or the interests as high."""
    return board.capacity(a) == board.capacity(b) or board.proposals[a].interest == board.proposals[b].interest


def _improve(board: _Board, first: int) -> None:
    """Local search: trade cells (or move into a free cell of a room as large) while that lowers
    the conflicts and keeps every rule; first improvement, until none is left."""
    ours = [i for i in range(first, len(board.proposals)) if i in board.cells]
    for _ in range(MAX_PASSES):
        improved = False
        for x, a in enumerate(ours):
            for b in ours[x + 1 :]:
                slot_a, slot_b = board.cells[a].slot, board.cells[b].slot
                if slot_a == slot_b or not _same_rank(board, a, b) or not _swappable(board, a, b):
                    continue
                now = board.conflict(a, slot_a) + board.conflict(b, slot_b)
                then = board.conflict(a, slot_b, besides=b) + board.conflict(b, slot_a, besides=a)
                if then < now:
                    _swap(board, a, b)
                    improved = True
            improved = _move_to_free(board, a) or improved
        if not improved:
            return


def _move_to_free(board: _Board, a: int) -> bool:
    cell = board.cells[a]
    capacity = board.rooms[cell.room].capacity
    now = board.conflict(a, cell.slot)
    for room, spec in enumerate(board.rooms):
        if spec.capacity != capacity:
            continue
        for slot in range(board.slots):
            target = Cell(room, slot)
            if target in board.taken or slot == cell.slot or not board.proposer_free(a, slot):
                continue
            if board.conflict(a, slot) < now:
                board.take(a)
                board.put(a, target)
                return True
    return False


def _result(board: _Board, first: int, unplaced: list[Unplaced]) -> Result:
    placed = [
        Placed(board.proposals[i].id, board.rooms[board.cells[i].room].name, board.cells[i].slot)
        for i in range(first, len(board.proposals))
        if i in board.cells
    ]
    return Result(placed, unplaced)


def greedy(
    rooms: Sequence[Room], slots: int, fixed: Sequence[tuple[Proposal, str, int]], candidates: Sequence[Proposal]
) -> Result:
    """The baseline: most interest first into the largest room with a free cell, earliest slot."""
    board = _board(rooms, slots, fixed, candidates)
    return _result(board, len(fixed), _fill(board, len(fixed), _earliest))


def place(
    rooms: Sequence[Room], slots: int, fixed: Sequence[tuple[Proposal, str, int]], candidates: Sequence[Proposal]
) -> Result:
    """Place the candidates into the cells `fixed` (proposals placed before: proposal, room, slot)
    leaves free, by the rules above. Two starts (the baseline's earliest slots, and the slot of
    least conflict), each repaired and improved; the one with fewer conflicts wins."""
    best: Result | None = None
    best_cost = 0
    for choose in (_earliest, _least_conflict):
        board = _board(rooms, slots, fixed, candidates)
        unplaced = _fill(board, len(fixed), choose)
        _repair(board, len(fixed))
        _improve(board, len(fixed))
        # a move of the search may free a swap that rule 3 wants; the search keeps
        # Σ interest × capacity and each repair raises it, so this ends
        while _repair(board, len(fixed)):
            _improve(board, len(fixed))
        result = _result(board, len(fixed), unplaced)
        cost = conflicts(rooms, fixed, result, candidates)
        if best is None or cost < best_cost:
            best, best_cost = result, cost
    assert best is not None
    return best
