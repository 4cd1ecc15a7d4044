"""One path from decided events to what is appended: fold them, then the reactions on top.

The API (`WorkshopService`) and the workers (`workers.context.Context`) both record through
`settle`, so a command a worker runs (retention's erasure) gets the same reactions as one the
API runs.
"""

from __future__ import annotations

from datetime import datetime

from service.domain.events import Event
from service.domain.intro import TRIGGERS, react
from service.domain.rules import evolve
from service.domain.state import WorkshopState


def settle(state: WorkshopState, events: list[Event], now: datetime) -> list[Event]:
    """Fold the events into `state`, then whatever the intro-talk reaction decides on top;
    returns all of them, in the order they are to be appended. Moves `state.version` on."""
    for event in events:
        evolve(state, event)
    reactions: list[Event] = []
    # Without any slot ever offered there is no talk to assign, move or cancel; `react` walks
    # every sign-up, which made each sign-up O(sign-ups) (see bench/results.md).
    if state.intro_slots and any(isinstance(event, TRIGGERS) for event in events):
        reactions = react(state, now)
        for event in reactions:
            evolve(state, event)
    state.version += len(events) + len(reactions)
    return [*events, *reactions]
