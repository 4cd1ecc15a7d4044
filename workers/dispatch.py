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
from service.domain.timing import due_reminder_at, follow_up_at
from service.store.job_spec import JobSpec
from workers.handlers import Handler


def job_id(workshop_id: str, position: int, handler: Handler) -> str:
    return f"{workshop_id}-{position}-{handler.short}"


def _job(workshop_id: str, position: int, handler: Handler, *args: str, at: datetime | None = None) -> JobSpec:
    return JobSpec(job_id(workshop_id, position, handler), handler, (workshop_id, *args), at)


def jobs_for(state: WorkshopState, position: int, event: e.Event) -> list[JobSpec]:
    """The jobs one recorded event calls for, given the state after it."""
    wid = state.id
    match event:
        case e.SignupRecorded(signup_id=signup_id):
            return [_job(wid, position, Handler.SEND_SIGNUP_CONFIRMATION, signup_id)]
        case e.WaitlistPromoted(signup_id=signup_id):
            return [_job(wid, position, Handler.SEND_WAITLIST_PROMOTION, signup_id)]
        case e.SessionClosed(session_id=sid):
            return [
                _job(wid, position, Handler.PRODUCE_SESSION_DIGEST, sid),
                _job(wid, position, Handler.SEND_FOLLOW_UPS, sid, at=follow_up_at(state, state.sessions[sid])),
            ]
        case e.CommitmentMade(commitment_id=cid, due=due) | e.CommitmentCorrected(commitment_id=cid, due=due) if (
            due is not None
        ):
            reminder_at = due_reminder_at(state, due)
            return [_job(wid, position, Handler.SEND_DUE_REMINDER, cid, due.isoformat(), at=reminder_at)]
        case e.IntroTalkScheduled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, Handler.SEND_INVITATIONS, pid, str(sequence))]
        case e.IntroTalkCancelled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, Handler.SEND_CANCELLATIONS, pid, str(sequence))]
        case e.ProposalPlaced(session_id=sid, moved=True):
            return [_job(wid, position, Handler.SEND_SESSION_MOVED, sid, str(position))]
        case e.WorkshopClosed():
            return [_job(wid, position, Handler.PRODUCE_WORKSHOP_REPORT)]
    return []


def dispatch(state: WorkshopState, recorded: Iterable[tuple[int, e.Event]]) -> list[JobSpec]:
    """Every job that a batch of recorded events calls for. A run of erasures (retention erases
    everyone at once) calls for one rewrite of Redis's history, at its first erasure."""
    jobs: list[JobSpec] = []
    previous: e.Event | None = None
    for position, event in recorded:
        jobs += jobs_for(state, position, event)
        if isinstance(event, e.PersonErased) and not isinstance(previous, e.PersonErased):
            jobs.append(_job(state.id, position, Handler.FORGET_HISTORY))
        previous = event
    return jobs
