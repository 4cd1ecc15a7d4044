"""Which jobs an event calls for: a pure function of the workshop state and the new events.

The service calls `dispatch` inside the append, and the jobs are enqueued in the same Redis
transaction as the events. A job's id follows from the workshop, the event's log position
and the handler, so the same event can never enqueue the same job twice. Jobs carry ids,
never names or e-mail addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from service.domain import events as e
from service.domain.state import WorkshopState
from service.domain.timing import digest_at, due_reminder_at, follow_up_at
from service.store.job_spec import JobSpec
from workers.handlers import Handler


def job_id(workshop_id: str, position: int, handler: Handler) -> str:
    return f"{workshop_id}-{position}-{handler.short}"


def _job(workshop_id: str, position: int, handler: Handler, *args: str, at: datetime | None = None) -> JobSpec:
    return JobSpec(job_id(workshop_id, position, handler), handler, (workshop_id, *args), at)


def moves(event: e.SessionChanged) -> bool:
    """Whether a change gives the session a new time or room: that is mailed to everyone signed up
    (a new title, capacity or host is not)."""
    return any(getattr(event, name) is not None or name in event.cleared for name in ("starts_at", "ends_at", "room"))


def jobs_for(state: WorkshopState, position: int, event: e.Event) -> list[JobSpec]:
    """The jobs one recorded event calls for, given the state after it."""
    wid = state.id
    match event:
        case e.SignupRecorded(signup_id=signup_id):
            return [_job(wid, position, Handler.SEND_SIGNUP_CONFIRMATION, signup_id)]
        case e.WaitlistPromoted(signup_id=signup_id):
            return [_job(wid, position, Handler.SEND_WAITLIST_PROMOTION, signup_id)]
        case e.SessionChanged(session_id=sid, sequence=sequence) if moves(event):
            return [_job(wid, position, Handler.SEND_SESSION_CHANGE, sid, str(sequence))]
        case e.SessionCancelled(session_id=sid):
            return [_job(wid, position, Handler.SEND_SESSION_CANCELLATION, sid)]
        case e.SessionClosed(session_id=sid):
            return _closed(state, position, sid)
        case e.DateFixed(session_id=sid):
            return [_job(wid, position, Handler.SEND_MEETING_INVITATIONS, sid)]
        case e.CommitmentMade(commitment_id=cid, due=due) | e.CommitmentCorrected(commitment_id=cid, due=due) if (
            due is not None
        ):
            reminder_at = due_reminder_at(state, due)
            return [_job(wid, position, Handler.SEND_DUE_REMINDER, cid, due.isoformat(), at=reminder_at)]
        # A new owner is reminded of the date too; a reopened commitment's reminder may have found it done.
        case e.CommitmentCorrected(commitment_id=cid, owner=e.Person()) | e.CommitmentReopened(commitment_id=cid) if (
            state.commitments[cid].due is not None
        ):
            return _reminded(state, position, cid)
        case e.IntroTalkScheduled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, Handler.SEND_INVITATIONS, pid, str(sequence))]
        case e.IntroTalkCancelled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, Handler.SEND_CANCELLATIONS, pid, str(sequence))]
        case e.ProposalPlaced(moved=True):
            return [_moved(wid, position, event)]
        case e.WorkshopClosed():
            return [_job(wid, position, Handler.PRODUCE_WORKSHOP_REPORT)]
    return []


def _moved(workshop_id: str, position: int, placed: e.ProposalPlaced) -> JobSpec:
    """A placed session moved in the grid: mailed as any change of room or time is, with the
    calendar entry's new SEQUENCE; a move logged before moves had a sequence, as it was then."""
    if placed.sequence is None:
        return _job(workshop_id, position, Handler.SEND_SESSION_MOVED, placed.session_id, str(position))
    return _job(workshop_id, position, Handler.SEND_SESSION_CHANGE, placed.session_id, str(placed.sequence))


def _reminded(state: WorkshopState, position: int, commitment_id: str) -> list[JobSpec]:
    """A commitment handed over to a new owner, or open again, and its date: the owner's reminder
    on that date (at once when the day of the reminder has passed), as for a new commitment. The
    ledger keeps it to one mail per date and owner, so a reminder sent before is not sent again."""
    due = state.commitments[commitment_id].due
    assert due is not None
    reminder_at = due_reminder_at(state, due)
    return [_job(state.id, position, Handler.SEND_DUE_REMINDER, commitment_id, due.isoformat(), at=reminder_at)]


def _closed(state: WorkshopState, position: int, session_id: str) -> list[JobSpec]:
    """A session closed: its digest (after `digest_wait`), the follow-ups, and the contact exchange
    and participants' digests where someone asked for them."""
    session = state.sessions[session_id]
    closed = [
        _job(state.id, position, Handler.PRODUCE_SESSION_DIGEST, session_id, at=digest_at(state, session)),
        _job(state.id, position, Handler.SEND_FOLLOW_UPS, session_id, at=follow_up_at(state, session)),
    ]
    if any(state.signups[s].share_contact for s in session.signups):
        closed.append(_job(state.id, position, Handler.SEND_CONTACT_EXCHANGE, session_id))
    if any(state.signups[s].wants_digest for s in session.signups):
        closed.append(_job(state.id, position, Handler.SEND_PARTICIPANT_DIGESTS, session_id))
    if session.group_id is not None and state.network_id is not None:
        closed.append(_job(state.id, position, Handler.SEND_GROUP_DIGEST, session_id))
    return closed


def dispatch(state: WorkshopState, recorded: Iterable[tuple[int, e.Event]]) -> list[JobSpec]:
    """Every job that a batch of recorded events calls for. A run of erasures (retention erases
    everyone at once) calls for one rewrite of Redis's history, at its first erasure. A batch of
    a network's meeting calls for its record in the network projection, before any rewrite, so
    that the rewrite leaves no record that still holds an erased person."""
    jobs: list[JobSpec] = []
    previous: e.Event | None = None
    last, moved, rewrite = 0, False, None
    for position, event in recorded:
        jobs += jobs_for(state, position, event)
        if isinstance(event, e.PersonErased) and not isinstance(previous, e.PersonErased):
            rewrite = len(jobs) if rewrite is None else rewrite
            jobs.append(_job(state.id, position, Handler.FORGET_HISTORY))
        previous = event
        last, moved = position, moved or isinstance(event, e.WorkshopNetworkSet)
    if last and (moved or state.network_id is not None):  # the network projection follows the log
        jobs.insert(len(jobs) if rewrite is None else rewrite, _job(state.id, last, Handler.PROJECT_MEETING))
    return jobs
