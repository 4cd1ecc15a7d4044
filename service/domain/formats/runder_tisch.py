"""Round table: an agenda with time boxes (one item under discussion at a time), decisions with
their votes, and a date poll for the next meeting that participants answer from their phones;
fixing a date invites everyone confirmed."""

from __future__ import annotations

from service.domain import commands as c
from service.domain.formats.base import N_, DigestAgendaItem, DigestDecision, Section, SessionFormat
from service.domain.state import SessionState, WorkshopState


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
