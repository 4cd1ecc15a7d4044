"""Round table: an agenda with time boxes (one item under discussion at a time), decisions with
their votes, and a date poll for the next meeting that participants answer from their phones;
fixing a date invites everyone confirmed.

`decide` and the evolvers of the round table's commands and events live here; `rules.decide` and
`rules.evolve` hand them over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Invalid, NotFound
from service.domain.formats.base import (
    N_,
    DigestAgendaItem,
    DigestDecision,
    Section,
    SessionFormat,
    format_of,
    takers,
)
from service.domain.lookups import confirmed_here, recorded, writable_session
from service.domain.state import AgendaItemState, DatePollState, DecisionState, SessionState, WorkshopState


def round_table(state: WorkshopState, session: SessionState) -> Section:
    """The agenda, the decisions and the date of the next meeting once it is fixed."""
    poll = session.date_poll
    return Section(
        agenda=[DigestAgendaItem(title=item.title, minutes=item.minutes) for item in session.agenda],
        decisions=[DigestDecision(text=d.text, yes=d.yes, no=d.no, abstain=d.abstain) for d in session.decisions],
        next_meeting_at=session.next_meeting_at if poll is not None and poll.fixed is not None else None,
    )


FORMAT = SessionFormat(
    name="runder_tisch",
    label=N_("Round table"),
    commands=frozenset(
        {c.AddAgendaItem, c.StartAgendaItem, c.RecordDecision, c.OpenDatePoll, c.AnswerDatePoll, c.FixDate}
    ),
    section=round_table,
)

RUNDER_TISCH_COMMANDS = (
    c.AddAgendaItem | c.StartAgendaItem | c.RecordDecision | c.OpenDatePoll | c.AnswerDatePoll | c.FixDate
)
MIN_DATE_OPTIONS, MAX_DATE_OPTIONS = 2, 5

# ---------------------------------------------------------------------------- decide


def decide(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:
    """A round table's agenda, decisions and the date poll for its next meeting."""
    match command:
        case c.AddAgendaItem(session_id=sid, item_id=iid, title=title, minutes=minutes):
            _round_table(state, sid, c.AddAgendaItem)
            return [e.AgendaItemAdded(at=now, session_id=sid, item_id=iid, title=title, minutes=minutes)]
        case c.StartAgendaItem(session_id=sid, item_id=iid):
            session = _round_table(state, sid, c.StartAgendaItem)
            if all(item.id != iid for item in session.agenda):
                raise NotFound("agenda item", iid)
            return [] if session.current_item == iid else [e.AgendaItemStarted(at=now, session_id=sid, item_id=iid)]
        case c.RecordDecision():
            _round_table(state, command.session_id, c.RecordDecision)
            return [recorded(e.DecisionRecorded, command, now)]
        case c.OpenDatePoll(session_id=sid, options=options):
            session = _round_table(state, sid, c.OpenDatePoll)
            if not MIN_DATE_OPTIONS <= len(options) <= MAX_DATE_OPTIONS or len(set(options)) != len(options):
                raise Invalid("options", f"{MIN_DATE_OPTIONS} to {MAX_DATE_OPTIONS} different dates")
            if session.date_poll is not None and session.date_poll.fixed is not None:
                raise Conflict("The next meeting's date is fixed already.")
            return [e.DatePollOpened(at=now, session_id=sid, options=tuple(sorted(options)))]
        case c.AnswerDatePoll(session_id=sid, participant_id=pid, options=chosen):
            poll = _open_poll(_round_table(state, sid, c.AnswerDatePoll))
            confirmed_here(state, state.sessions[sid], pid)
            if any(not 0 <= i < len(poll.options) for i in chosen):
                raise Invalid("options", f"indices from 0 to {len(poll.options) - 1}")
            answer = tuple(sorted(set(chosen)))
            return [e.DatePollAnswered(at=now, session_id=sid, participant_id=pid, options=answer)]
        case c.FixDate(session_id=sid, option=option):
            poll = _open_poll(_round_table(state, sid, c.FixDate))
            if not 0 <= option < len(poll.options):
                raise Invalid("option", f"an index from 0 to {len(poll.options) - 1}")
            return [e.DateFixed(at=now, session_id=sid, option=option, next_meeting_at=poll.options[option])]
    raise TypeError(f"not a runder_tisch command: {type(command).__name__}")


def _round_table(state: WorkshopState, session_id: str, command: type[c.Command]) -> SessionState:
    session = writable_session(state, session_id)
    if not format_of(session.format).takes(command):
        raise Conflict(f"Agenda, decisions and date polls belong to a {takers(command)}.")
    return session


def _open_poll(session: SessionState) -> DatePollState:
    if session.date_poll is None:
        raise Conflict("There is no date poll in this session.")
    if session.date_poll.fixed is not None:
        raise Conflict("The next meeting's date is fixed already.")
    return session.date_poll


# ---------------------------------------------------------------------------- evolve


def _evolve_agenda_item(state: WorkshopState, event: e.AgendaItemAdded) -> None:
    item = AgendaItemState(id=event.item_id, title=event.title, minutes=event.minutes, added_at=event.at)
    state.sessions[event.session_id].agenda.append(item)


def _evolve_agenda_started(state: WorkshopState, event: e.AgendaItemStarted) -> None:
    session = state.sessions[event.session_id]
    session.current_item = event.item_id
    for item in session.agenda:
        if item.id == event.item_id and item.started_at is None:
            item.started_at = event.at


def _evolve_decision(state: WorkshopState, event: e.DecisionRecorded) -> None:
    decision = DecisionState(
        id=event.decision_id,
        text=event.text,
        yes=event.yes,
        no=event.no,
        abstain=event.abstain,
        recorded_at=event.at,
    )
    state.sessions[event.session_id].decisions.append(decision)


def _evolve_poll_opened(state: WorkshopState, event: e.DatePollOpened) -> None:
    state.sessions[event.session_id].date_poll = DatePollState(options=event.options, opened_at=event.at)


def _evolve_poll_answered(state: WorkshopState, event: e.DatePollAnswered) -> None:
    poll = state.sessions[event.session_id].date_poll
    assert poll is not None
    poll.answers[event.participant_id] = event.options


def _evolve_date_fixed(state: WorkshopState, event: e.DateFixed) -> None:
    session = state.sessions[event.session_id]
    assert session.date_poll is not None
    session.date_poll.fixed = event.option
    session.next_meeting_at = event.next_meeting_at


EVOLVERS: dict[type[e.Event], Callable[[WorkshopState, Any], None]] = {
    e.AgendaItemAdded: _evolve_agenda_item,
    e.AgendaItemStarted: _evolve_agenda_started,
    e.DecisionRecorded: _evolve_decision,
    e.DatePollOpened: _evolve_poll_opened,
    e.DatePollAnswered: _evolve_poll_answered,
    e.DateFixed: _evolve_date_fixed,
}
