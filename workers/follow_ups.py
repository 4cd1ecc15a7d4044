"""Nachhaken: a personal reminder some days after the meeting, and one on the due date."""

from __future__ import annotations

from functools import partial
from itertools import groupby

from service.domain import effects
from service.domain.state import CommitmentState, WorkshopState
from workers.context import context, job
from workers.mail import Mail, render_mail
from workers.mail_jobs import session_details


def _language(state: WorkshopState, commitment: CommitmentState) -> str:
    signup = state.signups.get(commitment.signup_id or "")
    return signup.language if signup is not None else state.language


def _link(state: WorkshopState, commitment: CommitmentState) -> str | None:
    """A personal link when the owner is a participant (they can mark it done there)."""
    signup = state.signups.get(commitment.signup_id or "")
    if signup is None:
        return None
    return context().personal_link(state.id, signup.participant_id)


@job
def send_follow_ups(workshop_id: str, session_id: str) -> int:
    """One mail to each owner with an e-mail who still has open commitments from the session."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    open_ones = [
        state.commitments[cid]
        for cid in session.commitments
        if state.commitments[cid].status == "open" and state.commitments[cid].owner.email
    ]
    sent = 0
    by_owner = groupby(sorted(open_ones, key=lambda c: c.owner.subject), key=lambda c: c.owner.subject)
    for subject, owned_ones in by_owner:
        owned = list(owned_ones)
        effect = effects.follow_up(session_id, subject)
        owner_email, language = owned[0].owner.email, _language(state, owned[0])
        assert owner_email is not None
        compose = partial(_follow_up_mail, state, owned, effect)
        sent += ctx.send_stoppable(state, "reminders", owner_email, language, effect, compose)
    return sent


def _follow_up_mail(state: WorkshopState, commitments: list[CommitmentState], effect: str) -> Mail:
    owner = commitments[0].owner
    assert owner.email is not None
    return render_mail(
        "follow_up",
        _language(state, commitments[0]),
        owner.email,
        effect,
        name=owner.name,
        commitments=commitments,
        link=_link(state, commitments[0]),
        **session_details(state, state.sessions[commitments[0].session_id]),
    )


@job
def send_due_reminder(workshop_id: str, commitment_id: str, due: str | None = None) -> bool:
    """On the due date, if the commitment is still open, still due that day (`due`, when the
    job names it: a corrected date has a job of its own) and its owner has an e-mail. One mail
    per due date and owner: a new owner is reminded too, also of a date reminded before."""
    ctx = context()
    state = ctx.state(workshop_id)
    commitment = state.commitments.get(commitment_id)
    if commitment is None or commitment.status != "open" or not commitment.owner.email or commitment.due is None:
        return False
    if due is not None and commitment.due.isoformat() != due:
        return False
    owner_email = commitment.owner.email
    session = state.sessions[commitment.session_id]
    effect = effects.due_reminder(commitment_id, commitment.due.isoformat(), commitment.owner.subject)

    def compose() -> Mail:
        return render_mail(
            "due_reminder",
            _language(state, commitment),
            owner_email,
            effect,
            name=commitment.owner.name,
            commitment=commitment,
            link=_link(state, commitment),
            **session_details(state, session),
        )

    return ctx.send_stoppable(state, "reminders", owner_email, _language(state, commitment), effect, compose)
