"""What the workshop's rules (`rules.py`) and each format's rules (`formats/<format>.py`) share:
finding what a command names, the checks that a session still takes writes and that a participant
acting from their phone holds a place in it, and the event that records a command. It sits below
both because rules.py imports the formats: a format module that imported rules.py would close a
cycle (barcamp.py imports neither)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import msgspec

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.state import SessionState, SignupState, WorkshopState

E = TypeVar("E", bound=e.Event)
Entry = TypeVar("Entry")


def session_of(state: WorkshopState, session_id: str) -> SessionState:
    session = state.sessions.get(session_id)
    if session is None:
        raise NotFound("session", session_id)
    return session


def writable_session(state: WorkshopState, session_id: str) -> SessionState:
    """A session that still takes writes; a closed or cancelled one is a conflict."""
    session = session_of(state, session_id)
    if session.status == "closed":
        raise Conflict(f"Session {session_id!r} is closed and takes no more changes.")
    if session.status == "cancelled":
        raise Conflict(f"Session {session_id!r} was cancelled and takes no more sign-ups or changes.")
    return session


def signup_of(state: WorkshopState, signup_id: str) -> SignupState:
    signup = state.signups.get(signup_id)
    if signup is None:
        raise NotFound("sign-up", signup_id)
    return signup


def found(entries: dict[str, Entry], kind: str, entry_id: str) -> Entry:
    """The entry of that id (a note, card, offer, match, commitment), else 404 naming its kind."""
    entry = entries.get(entry_id)
    if entry is None:
        raise NotFound(kind, entry_id)
    return entry


def owner_of(state: WorkshopState, signup_id: str | None, owner: e.Person | None, session_id: str) -> e.Person:
    """Who owns a commitment or an offer: the person of a sign-up to that session, else the one named."""
    if signup_id is not None:
        signup = signup_of(state, signup_id)
        if signup.session_id != session_id:
            raise NotFound("sign-up", signup_id)
        return signup.person
    if owner is None:
        raise Invalid("owner_name", "signup_id or owner_name is required")
    return owner


def confirmed_here(state: WorkshopState, session: SessionState, participant_id: str) -> SignupState:
    """The confirmed sign-up of a participant acting from their phone: the session must be open
    (409) and they must hold a confirmed place in it (403)."""
    if session.status != "open":
        raise Conflict("The session is not open: participants can take part once the facilitator opens it.")
    for signup_id in session.confirmed:
        signup = state.signups[signup_id]
        if signup.participant_id == participant_id:
            return signup
    raise Forbidden("Only people with a confirmed place in this session can take part from their phone.")


def recorded(kind: type[E], command: c.Command, now: datetime) -> E:
    """The event that records a command field for field (its fields are the command's, plus `at`):
    one place instead of a copy of every field per command."""
    return kind(at=now, **msgspec.structs.asdict(command))
