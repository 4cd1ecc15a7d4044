"""What a session format is: the parts of the rules, the pages and the record that differ by format.

A format is one module in this package holding one `SessionFormat`, plus, where it shows something
of its own, templates in `service/templates/formats/<name>/`:

- `console.html`      its panel in the facilitator's console (between the counts and the commitments)
- `participant.html`  its panel on a participant's phone (the sign-up page of one of its sessions)
- `digest.html`, `digest.md`  its section of the session digest and the workshop report

Every slot is optional: a format without a template there shows nothing of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from service.domain import commands as c
from service.domain.events import Phase
from service.domain.state import SessionState, WorkshopState

TEMPLATES = ("console.html", "participant.html", "projector.html", "digest.html", "digest.md")


def N_(message: str) -> str:
    """Mark a word for the catalogue (the domain stays free of Babel); it is translated where shown."""
    return message


class DigestCard(msgspec.Struct, kw_only=True):
    text: str
    votes: int


class DigestOffer(msgspec.Struct, kw_only=True):
    id: str
    text: str
    owner_name: str | None
    matched: bool


class DigestMatch(msgspec.Struct, kw_only=True):
    offer: str
    request: str
    offer_owner: str | None
    request_owner: str | None


class DigestAgendaItem(msgspec.Struct, kw_only=True):
    title: str
    minutes: int | None


class DigestDecision(msgspec.Struct, kw_only=True):
    text: str
    yes: int | None
    no: int | None
    abstain: int | None


class Section(msgspec.Struct, kw_only=True):
    """A format's part of a session digest: cards by phase, offers, requests, matches; a round
    table's agenda, decisions and next meeting."""

    cards: dict[str, list[DigestCard]] = {}
    offers: list[DigestOffer] = []
    requests: list[DigestOffer] = []
    matches: list[DigestMatch] = []
    agenda: list[DigestAgendaItem] = []
    decisions: list[DigestDecision] = []
    next_meeting_at: datetime | None = None


def no_section(state: WorkshopState, session: SessionState) -> Section:
    return Section()


@dataclass(frozen=True, kw_only=True)
class SessionFormat:
    """One format: its name (the `Format` value in events), the word for it, the commands only its
    sessions take, its phases (a session starts in the first), its digest section, and the words
    for the values it shows."""

    name: str
    label: str
    commands: frozenset[type[c.Command]] = frozenset()
    phases: tuple[Phase, ...] = ()
    section: Callable[[WorkshopState, SessionState], Section] = no_section
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def first_phase(self) -> Phase | None:
        return self.phases[0] if self.phases else None

    def takes(self, command: type[c.Command]) -> bool:
        return command in self.commands


FORMATS: dict[str, SessionFormat] = {}
"""Every format by its `Format` value, in the order the pages offer them. The package
(`formats/__init__.py`) fills it; it is here so that a format's own rules can ask the format of
another session without importing the package that imports them."""


def format_of(name: str) -> SessionFormat:
    return FORMATS[name]


def takers(command: type[c.Command]) -> str:
    """The formats whose sessions take a command, for the message that refuses it elsewhere."""
    return " or ".join(name for name, session_format in FORMATS.items() if session_format.takes(command))
