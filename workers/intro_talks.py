"""Intro-talk invitations: newcomer and host each get a mail with an iCalendar invitation
(METHOD:REQUEST, one UID per newcomer, SEQUENCE rising with every change), and a
cancellation (METHOD:CANCEL) when a talk moves away from a host or is called off."""

from __future__ import annotations

from typing import Literal

from service.domain import effects
from service.domain.state import IntroSlotState, IntroTalkState, WorkshopState
from service.i18n import gettext
from service.reports.calendar import talk_invitation
from workers.context import Context, context, job
from workers.mail import Attachment, Mail, render_mail

Role = Literal["newcomer", "host", "previous-host"]


def _current(state: WorkshopState, participant_id: str, sequence: str) -> IntroTalkState | None:
    """The talk as this job knows it, or None when a later change superseded the job."""
    talk = state.intro_talks.get(participant_id)
    return talk if talk is not None and talk.sequence == int(sequence) else None


def _mail(
    ctx: Context,
    state: WorkshopState,
    talk: IntroTalkState,
    slot: IntroSlotState,
    role: Role,
    method: Literal["REQUEST", "CANCEL"],
) -> bool:
    newcomer = state.participants[talk.participant_id].person
    language = slot.language if role != "newcomer" else _newcomer_language(state, talk.participant_id)
    to = newcomer.email if role == "newcomer" else slot.host.email
    if not to or (role == "newcomer" and newcomer.erased):
        return False  # an erased person gets nothing; the host still hears the talk is off
    kind = "intro_invitation" if method == "REQUEST" else "intro_cancellation"
    make = effects.intro_invitation if method == "REQUEST" else effects.intro_cancellation
    effect = make(talk.participant_id, talk.sequence, role)

    def compose() -> Mail:
        ics = talk_invitation(state, talk, slot, method, language, ctx.settings.mail_from, ctx.clock.now())
        return render_mail(
            kind,
            language,
            to,
            effect,
            role=role,
            needed=talk.reason != "no_longer_newcomer",  # e.g. their only session was cancelled
            newcomer=newcomer.name or gettext(language, "a newcomer"),
            host=slot.host.name,
            starts_at=slot.starts_at,
            minutes=int(slot.duration.total_seconds() // 60),
            place=slot.place,
            workshop_title=state.title,
            timezone=state.timezone,
            reply_to=slot.host.email if role == "newcomer" else None,
            attachments=(Attachment("invite.ics", f"text/calendar; method={method}", ics),),
        )

    return ctx.send_stoppable(state, "intro_talks", to, language, effect, compose)


def _newcomer_language(state: WorkshopState, participant_id: str) -> str:
    first = state.participants[participant_id].signups[0]
    return state.signups[first].language


@job
def send_invitations(workshop_id: str, participant_id: str, sequence: str) -> int:
    """Invite newcomer and host; if the talk moved away from another host, cancel theirs."""
    ctx = context()
    state = ctx.state(workshop_id)
    talk = _current(state, participant_id, sequence)
    if talk is None or talk.slot_id is None:
        return 0
    slot = state.intro_slots[talk.slot_id]
    sent = _mail(ctx, state, talk, slot, "newcomer", "REQUEST") + _mail(ctx, state, talk, slot, "host", "REQUEST")
    previous = state.intro_slots.get(talk.previous_slot_id or "")
    if previous is not None and previous.host.email != slot.host.email:
        sent += _mail(ctx, state, talk, previous, "previous-host", "CANCEL")
    return sent


@job
def send_cancellations(workshop_id: str, participant_id: str, sequence: str) -> int:
    """The talk is off: tell newcomer and host, with a CANCEL for their calendars."""
    ctx = context()
    state = ctx.state(workshop_id)
    talk = _current(state, participant_id, sequence)
    if talk is None or talk.slot_id is not None or talk.previous_slot_id is None:
        return 0
    slot = state.intro_slots[talk.previous_slot_id]
    return _mail(ctx, state, talk, slot, "newcomer", "CANCEL") + _mail(ctx, state, talk, slot, "host", "CANCEL")
