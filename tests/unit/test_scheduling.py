"""Intro-talk assignment: invariants under hypothesis, and optimality against brute force."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.scheduling import Newcomer, Slot, assign, can_take

NOW = datetime(2026, 5, 9, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@st.composite
def newcomers(draw: st.DrawFn, most: int = 6) -> list[Newcomer]:
    found = []
    for i in range(draw(st.integers(0, most))):
        signed = NOW + draw(st.integers(-5, 10)) * HOUR
        found.append(
            Newcomer(f"n{i}", signed, signed + draw(st.integers(0, 12)) * HOUR, draw(st.sampled_from(["de", "en"])))
        )
    return found


@st.composite
def slots(draw: st.DrawFn, most: int = 4) -> list[Slot]:
    return [
        Slot(
            f"s{i}",
            NOW + draw(st.integers(-3, 15)) * HOUR,
            draw(st.integers(0, 2)),
            draw(st.sampled_from("AB")),
            draw(st.sampled_from(["de", "en"])),
        )
        for i in range(draw(st.integers(0, most)))
    ]


def best_possible(people: list[Newcomer], places: list[Slot]) -> int:
    """The largest number of newcomers any assignment can schedule (exhaustive)."""
    best = 0
    for choice in product([None, *places], repeat=len(people)):
        used = Counter(slot.id for slot in choice if slot is not None)
        if any(used[s.id] > s.places for s in places):
            continue
        if all(slot is None or can_take(person, slot, NOW) for person, slot in zip(people, choice, strict=True)):
            best = max(best, sum(1 for slot in choice if slot is not None))
    return best


@settings(max_examples=300, deadline=None)
@given(newcomers(), slots())
def test_it_schedules_as_many_as_brute_force_finds(people: list[Newcomer], places: list[Slot]) -> None:
    assert len(assign(people, places, NOW).talks) == best_possible(people, places)


@settings(max_examples=500, deadline=None)
@given(newcomers(most=12), slots(most=8))
def test_no_talk_in_the_past_after_the_deadline_or_over_capacity(people: list[Newcomer], places: list[Slot]) -> None:
    result = assign(people, places, NOW)
    by_id = {s.id: s for s in places}
    by_key = {p.key: p for p in people}
    for key, slot_id in result.talks.items():
        slot, person = by_id[slot_id], by_key[key]
        assert slot.starts_at > NOW and slot.starts_at > person.signed_up_at and slot.starts_at < person.deadline
    used = Counter(result.talks.values())
    assert all(used[s.id] <= s.places for s in places)
    assert set(result.talks) | set(result.unscheduled) == set(by_key)
    assert not set(result.talks) & set(result.unscheduled)


def test_reasons_say_why_a_newcomer_has_no_talk() -> None:
    early = Newcomer("early", NOW, NOW + 2 * HOUR, "de")
    late = Newcomer("late", NOW, NOW + 20 * HOUR, "de")
    assert assign([early], [], NOW).unscheduled == {"early": "no_slots"}
    one_place = [Slot("s", NOW + 5 * HOUR, 1, "A", "de")]
    result = assign([early, late], one_place, NOW)
    assert result.talks == {"late": "s"} and result.unscheduled == {"early": "none_before_deadline"}
    other = Newcomer("other", NOW, NOW + 20 * HOUR, "de")
    assert assign([late, other], one_place, NOW).unscheduled == {"other": "all_full"}


def test_the_more_urgent_newcomer_gets_the_only_early_slot() -> None:
    urgent = Newcomer("urgent", NOW, NOW + 3 * HOUR, "de")
    relaxed = Newcomer("relaxed", NOW, NOW + 30 * HOUR, "de")
    places = [Slot("early", NOW + 2 * HOUR, 1, "A", "de"), Slot("late", NOW + 10 * HOUR, 1, "A", "de")]
    assert assign([relaxed, urgent], places, NOW).talks == {"urgent": "early", "relaxed": "late"}


def test_same_language_and_an_even_load_among_simultaneous_slots() -> None:
    at = NOW + 2 * HOUR
    places = [Slot("de1", at, 2, "Agnes", "de"), Slot("en1", at, 2, "Bob", "en")]
    people = [Newcomer("ana", NOW, NOW + 9 * HOUR, "en"), Newcomer("ben", NOW, NOW + 9 * HOUR, "de")]
    assert assign(people, places, NOW).talks == {"ana": "en1", "ben": "de1"}
    same = [Slot("a", at, 5, "Agnes", "de"), Slot("b", at, 5, "Bob", "de")]
    four = [Newcomer(f"n{i}", NOW, NOW + 9 * HOUR, "de") for i in range(4)]
    assert Counter(assign(four, same, NOW).talks.values()) == {"a": 2, "b": 2}
