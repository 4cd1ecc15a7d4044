"""Future workshop: three phases (critique, fantasy, implementation), one after the other; cards
are added in the current phase and get dots; notes are taken in the current phase.

`decide` and the evolvers of its commands and events (phases, cards, dots) live here;
`rules.decide` and `rules.evolve` hand them over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.events import PHASES
from service.domain.formats.base import N_, DigestCard, Section, SessionFormat, format_of, takers
from service.domain.lookups import confirmed_here, found, writable_session
from service.domain.state import CardState, SessionState, WorkshopState


def cards(state: WorkshopState, session: SessionState) -> Section:
    """The cards by phase, most dots first."""
    by_phase: dict[str, list[DigestCard]] = {}
    for phase in PHASES:
        added = [state.cards[card_id] for card_id in session.cards if state.cards[card_id].phase == phase]
        if added:
            ranked = sorted(added, key=lambda card: (-card.votes, card.added_at))
            by_phase[phase] = [DigestCard(text=card.text, votes=card.votes) for card in ranked]
    return Section(cards=by_phase)


FORMAT = SessionFormat(
    name="zukunftswerkstatt",
    label=N_("Future workshop"),
    commands=frozenset({c.AdvancePhase, c.AddCard}),
    phases=PHASES,
    section=cards,
    labels={"kritik": N_("Critique"), "phantasie": N_("Fantasy"), "verwirklichung": N_("Implementation")},
)

# its FORMAT's commands, and those that act on one of its cards (whose session is found from the card)
ZUKUNFTSWERKSTATT_COMMANDS = c.AdvancePhase | c.AddCard | c.VoteCard | c.RemoveCard
MAX_DOTS_AT_ONCE = 5

# ---------------------------------------------------------------------------- decide


def decide(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:
    """The events of a future workshop's command: a phase, a card, dots on a card, a card removed."""
    match command:
        case c.AdvancePhase():
            return _advance_phase(state, command, now)
        case c.AddCard():
            return _add_card(state, command, now)
        case c.VoteCard():
            return _vote_card(state, command, now)
        case c.RemoveCard(card_id=kid, participant_id=pid):
            _remove_own_card(state, kid, pid)
            return [e.CardRemoved(at=now, card_id=kid)]
    raise TypeError(f"not a zukunftswerkstatt command: {type(command).__name__}")


def _advance_phase(state: WorkshopState, command: c.AdvancePhase, now: datetime) -> list[e.Event]:
    session = writable_session(state, command.session_id)
    phases = format_of(session.format).phases
    if not format_of(session.format).takes(c.AdvancePhase):
        raise Conflict(f"Only a {takers(c.AdvancePhase)} has phases.")
    current = phases.index(session.phase or phases[0])
    wanted = phases.index(command.phase)
    if wanted != current + 1:
        raise Conflict(
            f"Phases go forward one at a time: after {phases[current]!r} comes "
            + (repr(phases[current + 1]) if current + 1 < len(phases) else "nothing")
            + f", not {command.phase!r}."
        )
    return [e.PhaseAdvanced(at=now, session_id=command.session_id, phase=command.phase)]


def _add_card(state: WorkshopState, command: c.AddCard, now: datetime) -> list[e.Event]:
    session = writable_session(state, command.session_id)
    if not format_of(session.format).takes(c.AddCard) or session.phase is None:
        raise Conflict(f"Cards belong to a {takers(c.AddCard)}.")
    if command.participant_id is not None:
        confirmed_here(state, session, command.participant_id)
    return [
        e.CardAdded(
            at=now,
            card_id=command.card_id,
            session_id=command.session_id,
            phase=session.phase,
            text=command.text,
            participant_id=command.participant_id,
        )
    ]


def _remove_own_card(state: WorkshopState, card_id: str, participant_id: str | None) -> None:
    card = found(state.cards, "card", card_id)
    if participant_id is not None:
        confirmed_here(state, state.sessions[card.session_id], participant_id)
        if card.participant_id != participant_id:
            raise Forbidden("Participants may remove only their own cards.")


def dots_left(session: SessionState, participant_id: str) -> int:
    """How many of the session's dot budget a person has not given yet."""
    return session.dot_budget - sum(session.dots.get(participant_id, {}).values())


def _vote_card(state: WorkshopState, command: c.VoteCard, now: datetime) -> list[e.Event]:
    card = state.cards.get(command.card_id)
    if card is None:
        raise NotFound("card", command.card_id)
    session = writable_session(state, card.session_id)
    if command.count == 0 or abs(command.count) > MAX_DOTS_AT_ONCE:
        raise Invalid("count", f"from -{MAX_DOTS_AT_ONCE} to {MAX_DOTS_AT_ONCE}, not 0")
    pid = command.participant_id
    if pid is None:
        count = max(command.count, -card.votes)  # a card's dots never go below 0
        return [e.CardVoted(at=now, card_id=command.card_id, count=count)] if count else []
    confirmed_here(state, session, pid)
    if command.count > 0:
        left = dots_left(session, pid)
        if command.count > left:
            raise Conflict(f"Over the dot budget: {left} of {session.dot_budget} dots left.")
        count = command.count
    else:
        own = session.dots.get(pid, {}).get(card.id, 0)
        if own == 0:
            raise Conflict("You have no dots on this card to take back.")
        count = max(command.count, -own, -card.votes)
    return [e.CardVoted(at=now, card_id=command.card_id, count=count, participant_id=pid)]


# ---------------------------------------------------------------------------- evolve


def _evolve_phase(state: WorkshopState, event: e.PhaseAdvanced) -> None:
    state.sessions[event.session_id].phase = event.phase


def _evolve_card(state: WorkshopState, event: e.CardAdded) -> None:
    state.cards[event.card_id] = CardState(
        id=event.card_id,
        session_id=event.session_id,
        phase=event.phase,
        text=event.text,
        added_at=event.at,
        participant_id=event.participant_id,
    )
    state.sessions[event.session_id].cards.append(event.card_id)


def _evolve_vote(state: WorkshopState, event: e.CardVoted) -> None:
    card = state.cards[event.card_id]
    card.votes += event.count
    if event.participant_id is not None:
        given = state.sessions[card.session_id].dots.setdefault(event.participant_id, {})
        given[card.id] = given.get(card.id, 0) + event.count
        if given[card.id] <= 0:
            del given[card.id]


def _evolve_card_removed(state: WorkshopState, event: e.CardRemoved) -> None:
    card = state.cards.pop(event.card_id)
    session = state.sessions[card.session_id]
    session.cards.remove(event.card_id)
    for given in session.dots.values():  # its dots go back to the people who gave them
        given.pop(event.card_id, None)


EVOLVERS: dict[type[e.Event], Callable[[WorkshopState, Any], None]] = {
    e.PhaseAdvanced: _evolve_phase,
    e.CardAdded: _evolve_card,
    e.CardVoted: _evolve_vote,
    e.CardRemoved: _evolve_card_removed,
}
