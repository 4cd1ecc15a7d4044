"""Intro-talk assignment at 5,000 newcomers × 1,000 slots.

knoten's earliest-deadline-first sweep against the obvious baseline, first-fit in sign-up
order (each newcomer takes the earliest slot with room), on the same random workshop.
Reported: time (median of runs, interleaved) and how many newcomers each schedules.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from service.domain.scheduling import Assignment, Newcomer, Slot, assign, can_take

NOW = datetime(2026, 5, 9, 8, 0, tzinfo=UTC)
NEWCOMERS, SLOTS, RUNS = 5_000, 1_000, 5


def workshop(seed: int = 7) -> tuple[list[Newcomer], list[Slot]]:
    rng = random.Random(seed)
    people = []
    for i in range(NEWCOMERS):
        signed = NOW + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
        deadline = signed + timedelta(days=rng.choice([2, 5, 7, 14]))
        people.append(Newcomer(f"n{i}", signed, deadline, rng.choice(["de", "de", "en"])))
    slots = [
        Slot(
            f"s{j}",
            NOW + timedelta(minutes=rng.randint(60, 60 * 24 * 30)),
            rng.randint(1, 8),
            f"host{j % 60}",
            rng.choice(["de", "en"]),
        )
        for j in range(SLOTS)
    ]
    return people, slots


def first_fit(people: list[Newcomer], slots: list[Slot], now: datetime) -> Assignment:
    """Baseline: in sign-up order, the earliest slot with room that fits."""
    free = {s.id: s.places for s in slots}
    ordered = sorted(slots, key=lambda s: s.starts_at)
    talks: dict[str, str] = {}
    for person in sorted(people, key=lambda p: p.signed_up_at):
        for slot in ordered:
            if free[slot.id] and can_take(person, slot, now):
                free[slot.id] -= 1
                talks[person.key] = slot.id
                break
    return Assignment(talks, {})


def run() -> list[dict[str, object]]:
    people, slots = workshop()
    timings: dict[str, list[float]] = {"knoten (EDF sweep)": [], "baseline (first fit)": []}
    scheduled: dict[str, int] = {}
    algorithms: dict[str, Callable[[list[Newcomer], list[Slot], datetime], Assignment]] = {
        "knoten (EDF sweep)": assign,
        "baseline (first fit)": first_fit,
    }
    for _ in range(RUNS):  # interleaved, so a noisy machine slows both alike
        for name, algorithm in algorithms.items():
            started = time.perf_counter()
            result = algorithm(people, slots, NOW)
            timings[name].append(time.perf_counter() - started)
            scheduled[name] = len(result.talks)
    base = statistics.median(timings["baseline (first fit)"])
    return [
        {
            "variant": name,
            "median_s": round(statistics.median(t), 3),
            "max_s": round(max(t), 3),
            "scheduled": scheduled[name],
            "time_vs_baseline": round(statistics.median(t) / base, 2),
        }
        for name, t in timings.items()
    ]


TITLE = f"Intro-talk assignment, {NEWCOMERS:,} newcomers × {SLOTS:,} slots (target < 2 s, optimum scheduled)"
