"""Mails to participants about their sign-ups: confirmation, waitlist promotion, and a session's
new time or room or its cancellation."""

from __future__ import annotations

from typing import Any, Literal

from service.domain import effects
from service.domain.events import MailKind
from service.domain.formats.barcamp import host_of
from service.domain.links import Links
from service.domain.state import SessionState, SignupState, WorkshopState
from service.domain.views import waitlist_position
from service.reports.calendar import session_ics
from workers.context import Context, context, job
from workers.mail import Attachment, Mail, render_mail


def session_details(state: WorkshopState, session: SessionState) -> dict[str, Any]:
    """What every mail about a session shows."""
    return {
        "workshop_title": state.title,
        "session_title": session.title,
        "starts_at": session.starts_at,
        "room": session.room,
        "location": state.location,
        "host": host_of(state, session),
        "timezone": state.timezone,
    }


def session_attachment(
    ctx: Context, state: WorkshopState, session: SessionState, method: Literal["PUBLISH", "CANCEL"] = "PUBLISH"
) -> tuple[Attachment, ...]:
    """The session's calendar entry: the same UID in every mail, SEQUENCE as the session has it."""
    if session.starts_at is None:
        return ()
    ics = session_ics(
        uid=f"session-{state.id}-{session.id}@knoten",
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=", ".join(filter(None, (session.room, state.location))) or None,
        url=Links(ctx.settings.base_url).signup(state.id, session.id),
        organizer=ctx.settings.mail_from,
        stamp=ctx.clock.now(),
        sequence=session.sequence,
        method=method,
    )
    return (Attachment("session.ics", f"text/calendar; method={method}", ics),)


def _recipient(state: WorkshopState, signup_id: str) -> SignupState | None:
    """The sign-up, if a mail to it can and may still be sent."""
    signup = state.signups.get(signup_id)
    if signup is None or signup.person.erased or not signup.person.email:
        return None
    return signup


def _mail_about_signup(kind: str, effect: str, workshop_id: str, signup_id: str, stop: MailKind | None) -> bool:
    """A mail about a sign-up; `stop` names its kind when it does not answer the reader's own action."""
    ctx = context()
    state = ctx.state(workshop_id)
    signup = _recipient(state, signup_id)
    if signup is None:
        return False
    session = state.sessions[signup.session_id]
    email = signup.person.email
    assert email is not None

    def compose() -> Mail:
        return render_mail(
            kind,
            signup.language,
            email,
            effect,
            name=signup.person.name,
            waitlist_position=waitlist_position(session, signup.id),
            link=ctx.personal_link(workshop_id, signup.participant_id),
            attachments=session_attachment(ctx, state, session),
            **session_details(state, session),
        )

    if stop is None:
        return ctx.send_once(workshop_id, effect, compose)
    return ctx.send_stoppable(state, stop, email, signup.language, effect, compose)


@job
def send_signup_confirmation(workshop_id: str, signup_id: str) -> bool:
    """Confirm a sign-up: the place or the waitlist position, the personal link, the .ics."""
    effect = effects.signup_confirmation(signup_id)
    return _mail_about_signup("signup_confirmation", effect, workshop_id, signup_id, stop=None)


@job
def send_waitlist_promotion(workshop_id: str, signup_id: str) -> bool:
    """Tell someone from the waitlist that they have a place now."""
    effect = effects.waitlist_promotion(signup_id)
    return _mail_about_signup("waitlist_promotion", effect, workshop_id, signup_id, stop="waitlist")


def _mail_to_everyone_signed_up(
    kind: str, workshop_id: str, session: SessionState, state: WorkshopState, effect_of: Any, **extra: Any
) -> bool:
    """One mail of `kind` to each person signed up to the session (confirmed or waitlisted), once
    each; True when any went now."""
    ctx = context()
    sent = False
    for signup_id in [*session.confirmed, *session.waitlist]:
        signup = _recipient(state, signup_id)
        if signup is None:
            continue
        email = signup.person.email
        assert email is not None

        def compose(signup: SignupState = signup, email: str = email) -> Mail:
            return render_mail(
                kind,
                signup.language,
                email,
                effect_of(signup.id),
                name=signup.person.name,
                link=ctx.personal_link(workshop_id, signup.participant_id),
                waitlisted=signup.status == "waitlisted",
                **extra,
                **session_details(state, session),
            )

        sent = ctx.send_once(workshop_id, effect_of(signup.id), compose) or sent
    return sent


@job
def send_session_change(workshop_id: str, session_id: str, sequence: str) -> bool:
    """Tell everyone signed up of the session's new time or room, with the updated calendar entry.
    A later change (or the cancellation) sends its own mail, with what holds then: this one then
    sends nothing."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    if session.status == "cancelled" or session.sequence != int(sequence):
        return False
    return _mail_to_everyone_signed_up(
        "session_changed",
        workshop_id,
        session,
        state,
        lambda signup_id: effects.session_change(signup_id, int(sequence)),
        ends_at=session.ends_at,
        attachments=session_attachment(ctx, state, session),
    )


@job
def send_session_cancellation(workshop_id: str, session_id: str) -> bool:
    """Tell everyone signed up that the session is cancelled, with the calendar cancellation and
    the link to the sessions that still take sign-ups."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    return _mail_to_everyone_signed_up(
        "session_cancelled",
        workshop_id,
        session,
        state,
        effects.session_cancellation,
        others_url=Links(ctx.settings.base_url).signup(state.id, session.id),
        attachments=session_attachment(ctx, state, session, "CANCEL"),
    )


@job
def send_session_moved(workshop_id: str, session_id: str, position: str) -> bool:
    """Tell everyone signed up to a barcamp session that it moved (another room or slot), with
    the calendar entry updated; once per sign-up and move."""
    state = context().state(workshop_id)
    session = state.sessions[session_id]
    sent = False
    for signup_id in [*session.confirmed, *session.waitlist]:
        effect = effects.session_moved(session_id, position, signup_id)
        sent = _mail_about_signup("session_moved", effect, workshop_id, signup_id, stop=None) or sent
    return sent


@job
def send_personal_link_again(workshop_ids: str, email_hash: str, request_id: str) -> bool:
    """One mail with a fresh personal link for each workshop where the person of this (keyed
    hash of an) e-mail signed up, asked for again; nothing for a workshop where they are erased
    or have no sign-up. One mail, so "at most 3 an hour" counts mails whatever their number of
    workshops. `workshop_ids` are joined by commas (a job's arguments are strings; a job queued
    before this named one workshop)."""
    ctx = context()
    ids = workshop_ids.split(",")
    found = []
    for workshop_id in ids:
        state = ctx.state(workshop_id)
        participant_id = state.participants_by_email.get(email_hash)
        participant = state.participants.get(participant_id) if participant_id else None
        if participant is not None and participant.person.email and participant.signups:
            found.append((state, participant))
    if not found:
        return False
    found.sort(key=lambda kept: kept[0].signups[kept[1].signups[-1]].recorded_at)
    latest_state, latest = found[-1]  # their latest sign-up's language and name
    email = latest.person.email or ""  # every one found has an address
    language = latest_state.signups[latest.signups[-1]].language

    def compose() -> Mail:
        workshops = [
            {"title": state.title, "link": ctx.personal_link(state.id, participant.id)} for state, participant in found
        ]
        titles = ", ".join(state.title for state, _ in found)  # the footer names whose mail this is
        return render_mail(
            "personal_link_again",
            language,
            email,
            effect,
            name=latest.person.name,
            workshops=workshops,
            workshop_title=titles,
        )

    effect = effects.personal_links_again(request_id)
    return ctx.send_once(ids[0], effect, compose)
