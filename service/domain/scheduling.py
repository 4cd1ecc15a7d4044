"""Intro-talk assignment: a pure function of newcomers and host slots.

A newcomer can take a slot that starts after both the sign-up and now, and before the
deadline; so each newcomer's possible slots form one interval in time. Sweeping the slots in
time order and giving each slot's places to the waiting newcomers with the earliest deadlines
(earliest-deadline-first) schedules as many newcomers as is possible at all: whoever is
passed over at a slot has a deadline no earlier than those chosen, so any later slot one of
those chosen could use, they could use as well. Ties are broken towards earlier talks, then
the newcomer's language, then the host with the fewest talks so far.

O((newcomers + slots) · log newcomers).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from typing import Literal, NamedTuple

Reason = Literal["no_slots", "none_before_deadline", "all_full"]


class Newcomer(NamedTuple):
    key: str
    signed_up_at: datetime
    deadline: datetime
    language: str


class Slot(NamedTuple):
    id: str
    starts_at: datetime
    places: int  # free places
    host: str
    language: str


class Assignment(NamedTuple):
    talks: dict[str, str]  # newcomer key → slot id
    unscheduled: dict[str, Reason]


def can_take(newcomer: Newcomer, slot: Slot, now: datetime) -> bool:
    return max(newcomer.signed_up_at, now) < slot.starts_at < newcomer.deadline


def assign(
    newcomers: Iterable[Newcomer], slots: Iterable[Slot], now: datetime, load: Counter[str] | None = None
) -> Assignment:
    """Give as many newcomers as possible a slot; say why the others got none.

    `load` counts the talks each host has already, for an even spread.
    """
    waiting = sorted(newcomers, key=lambda n: max(n.signed_up_at, now))
    slots = list(slots)
    open_slots = sorted((s for s in slots if s.places > 0 and s.starts_at > now), key=lambda s: s.starts_at)
    hosts = Counter(load or {})
    talks: dict[str, str] = {}
    ready: list[tuple[datetime, datetime, str, Newcomer]] = []  # (deadline, signed up, key, newcomer)
    arriving = 0
    for starts_at, group in groupby(open_slots, key=lambda s: s.starts_at):
        at_once = list(group)
        while arriving < len(waiting) and max(waiting[arriving].signed_up_at, now) < starts_at:
            n = waiting[arriving]
            heapq.heappush(ready, (n.deadline, n.signed_up_at, n.key, n))
            arriving += 1
        while ready and ready[0][0] <= starts_at:
            heapq.heappop(ready)  # too late for this and every later slot
        chosen = [heapq.heappop(ready)[3] for _ in range(min(len(ready), sum(s.places for s in at_once)))]
        talks.update(_seat(chosen, at_once, hosts))
    unplaced = [n for n in waiting if n.key not in talks]
    return Assignment(talks, reasons(unplaced, slots, now))


def _seat(chosen: list[Newcomer], slots: list[Slot], hosts: Counter[str]) -> dict[str, str]:
    """Seat newcomers in simultaneous slots: own language first, then the least busy host."""
    free = {slot.id: slot.places for slot in slots}
    seated: dict[str, str] = {}
    for newcomer in sorted(chosen, key=lambda n: n.key):
        options = [s for s in slots if free[s.id] > 0]
        best = min(options, key=lambda s: (s.language != newcomer.language, hosts[s.host], s.id))
        free[best.id] -= 1
        hosts[best.host] += 1
        seated[newcomer.key] = best.id
    return seated


def reasons(unplaced: list[Newcomer], slots: list[Slot], now: datetime) -> dict[str, Reason]:
    """Why each unplaced newcomer has no talk: no slots at all, none in their window, or all full."""
    if not slots:
        return {n.key: "no_slots" for n in unplaced}
    starts = sorted(s.starts_at for s in slots)
    by_key: dict[str, Reason] = {}
    for newcomer in unplaced:
        first_after = bisect_right(starts, max(newcomer.signed_up_at, now))
        fitting = first_after < len(starts) and starts[first_after] < newcomer.deadline
        by_key[newcomer.key] = "all_full" if fitting else "none_before_deadline"
    return by_key


def host_load(talks: Iterable[tuple[str, str]], slot_hosts: dict[str, str]) -> Counter[str]:
    """How many talks each host has, from (newcomer, slot) pairs."""
    load: defaultdict[str, int] = defaultdict(int)
    for _, slot_id in talks:
        load[slot_hosts[slot_id]] += 1
    return Counter(load)
