"""Future workshop: three phases (critique, fantasy, implementation), one after the other; cards
are added in the current phase and get dots; notes are taken in the current phase."""

from __future__ import annotations

from service.domain import commands as c
from service.domain.events import PHASES
from service.domain.formats.base import N_, DigestCard, Section, SessionFormat
from service.domain.state import SessionState, WorkshopState


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
