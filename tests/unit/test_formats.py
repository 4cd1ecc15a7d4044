"""A session format is one module: the registry agrees with the `Format` literal, owns the words
and templates, and decide, evolve and the digest ask the format rather than its name."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain import formats
from service.domain.digests import session_digest
from service.domain.errors import Conflict, Invalid
from service.domain.formats.base import TEMPLATES, DigestCard, Section, SessionFormat
from service.domain.rules import decide, evolve
from service.domain.state import SessionState, WorkshopState
from service.reports.labels import label
from tests.unit.test_rules import NOW, created, given, planned

TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "service" / "templates" / "formats"


def workshop(*formats_planned: str) -> WorkshopState:
    """A workshop with one session of each of these formats, each named after its format."""
    return given(created(), *(planned(name, name) for name in formats_planned))  # type: ignore[arg-type]


def test_the_format_literal_names_exactly_the_registered_formats_in_their_order() -> None:
    assert get_args(e.Format) == tuple(formats.FORMATS)
    assert all(name == session_format.name for name, session_format in formats.FORMATS.items())


def test_every_template_of_a_format_sits_in_a_slot_of_a_registered_format() -> None:
    found = {path.relative_to(TEMPLATE_ROOT).as_posix() for path in TEMPLATE_ROOT.rglob("*") if path.is_file()}
    allowed = {f"{name}/{slot}" for name in formats.FORMATS for slot in TEMPLATES}
    assert found <= allowed
    assert {"zukunftswerkstatt/console.html", "marktplatz/console.html"} <= found


@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_every_format_has_a_german_and_an_english_word(name: str) -> None:
    session_format = formats.FORMATS[name]
    assert label("en", name) == session_format.label
    assert label("de", name) not in {name, session_format.label}
    for value, word in session_format.labels.items():
        assert label("en", value) == word
        assert label("de", value) != word


def test_only_the_formats_that_take_a_command_accept_it_and_the_refusal_names_them() -> None:
    state = workshop("thementisch", "zukunftswerkstatt", "marktplatz")
    with pytest.raises(Conflict, match="Cards belong to a zukunftswerkstatt"):
        decide(state, c.AddCard(card_id="k", session_id="marktplatz", text="Räume"), NOW)
    with pytest.raises(Conflict, match="Offers and requests belong to a marktplatz"):
        decide(state, c.PostOffer(offer_id="o", session_id="zukunftswerkstatt", kind="offer", text="Auto"), NOW)
    with pytest.raises(Conflict, match="Only a zukunftswerkstatt has phases"):
        decide(state, c.AdvancePhase(session_id="thementisch", phase="phantasie"), NOW)
    with pytest.raises(Invalid, match="only a zukunftswerkstatt has phases"):
        decide(state, c.TakeNote(note_id="n", session_id="thementisch", text="x", phase="kritik"), NOW)
    assert state.sessions["zukunftswerkstatt"].phase == "kritik"
    assert state.sessions["thementisch"].phase is None


def _wall_cards(state: WorkshopState, session: SessionState) -> Section:
    return Section(cards={"kritik": [DigestCard(text=state.cards[k].text, votes=0) for k in session.cards]})


def test_a_new_format_is_one_registered_module_that_rules_and_digests_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the next formats do (a barcamp's proposals, a poll): a format that takes cards in one
    phase gets cards through decide, its phase through evolve, and its section into the digest,
    without a line of the rules naming it."""
    wall = SessionFormat(
        name="wand", label="Wall", commands=frozenset({c.AddCard}), phases=("kritik",), section=_wall_cards
    )
    monkeypatch.setitem(formats.FORMATS, "wand", wall)
    state = workshop("wand")
    assert state.sessions["wand"].phase == "kritik"
    for event in decide(state, c.AddCard(card_id="k", session_id="wand", text="Mehr Bänke"), NOW):
        evolve(state, event)
    with pytest.raises(Conflict, match="Cards belong to a zukunftswerkstatt or wand"):
        decide(workshop("barcamp"), c.AddCard(card_id="k", session_id="barcamp", text="x"), NOW)
    digest = session_digest(state, state.sessions["wand"], NOW)
    assert digest.cards == {"kritik": [DigestCard(text="Mehr Bänke", votes=0)]}
    assert (digest.offers, digest.requests, digest.matches) == ([], [], [])
