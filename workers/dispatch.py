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
from service.store.base import JobSpec


def job_id(workshop_id: str, position: int, handler: str) -> str:
    return f"{workshop_id}-{position}-{handler.rsplit('.', 1)[-1]}"


def _job(workshop_id: str, position: int, handler: str, *args: str, at: datetime | None = None) -> JobSpec:
    return JobSpec(job_id(workshop_id, position, handler), handler, (workshop_id, *args), at)


MAIL = "workers.mail_jobs"
FOLLOW_UPS = "workers.follow_ups"
INTRO = "workers.intro_talks"
DIGESTS = "workers.digests"
ERASURE = "workers.erasure"


def jobs_for(state: WorkshopState, position: int, event: e.Event) -> list[JobSpec]:
    """The jobs one recorded event calls for, given the state after it."""
    wid = state.id
    match event:
        case e.SignupRecorded(signup_id=signup_id):
            return [_job(wid, position, f"{MAIL}.send_signup_confirmation", signup_id)]
        case e.WaitlistPromoted(signup_id=signup_id):
            return [_job(wid, position, f"{MAIL}.send_waitlist_promotion", signup_id)]
        case e.SessionClosed(session_id=sid):
            return [
                _job(wid, position, f"{DIGESTS}.produce_session_digest", sid),
                _job(wid, position, f"{FOLLOW_UPS}.send_follow_ups", sid, at=follow_up_at(state, state.sessions[sid])),
            ]
        case e.CommitmentMade(commitment_id=cid, due=due) if due is not None:
            return [_job(wid, position, f"{FOLLOW_UPS}.send_due_reminder", cid, at=due_reminder_at(state, due))]
        case e.IntroTalkScheduled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, f"{INTRO}.send_invitations", pid, str(sequence))]
        case e.IntroTalkCancelled(participant_id=pid, sequence=sequence):
            return [_job(wid, position, f"{INTRO}.send_cancellations", pid, str(sequence))]
        case e.WorkshopClosed():
            return [_job(wid, position, f"{DIGESTS}.produce_workshop_report")]
    return []


def dispatch(state: WorkshopState, recorded: Iterable[tuple[int, e.Event]]) -> list[JobSpec]:
    """Every job that a batch of recorded events calls for. A run of erasures (retention erases
    everyone at once) calls for one rewrite of Redis's history, at its first erasure."""
    jobs: list[JobSpec] = []
    previous: e.Event | None = None
    for position, event in recorded:
        jobs += jobs_for(state, position, event)
        if isinstance(event, e.PersonErased) and not isinstance(previous, e.PersonErased):
            jobs.append(_job(state.id, position, f"{ERASURE}.forget_history"))
        previous = event
    return jobs
