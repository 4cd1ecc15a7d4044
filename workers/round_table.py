"""A round table's mails: the invitation to the next meeting once its date is fixed (with a
calendar entry, to everyone confirmed), and after the session the contact exchange among the
people present who chose `share_contact`."""

from __future__ import annotations

from service.domain import effects
from service.domain.events import Person
from service.domain.links import Links
from service.domain.rules import was_present
from service.domain.state import SessionState, SignupState, WorkshopState
from service.reports.calendar import session_ics
from workers.context import Context, context, job
from workers.mail import Attachment, Mail, render_mail
from workers.mail_jobs import session_details


def _meeting_attachment(ctx: Context, state: WorkshopState, session: SessionState) -> tuple[Attachment, ...]:
    assert session.next_meeting_at is not None
    length = session.ends_at - session.starts_at if session.starts_at and session.ends_at else None
    ics = session_ics(
        uid=f"next-meeting-{state.id}-{session.id}@knoten",
        title=session.title,
        starts_at=session.next_meeting_at,
        ends_at=session.next_meeting_at + length if length else None,
        location=", ".join(filter(None, (session.room, state.location))) or None,
        url=Links(ctx.settings.base_url).signup(state.id, session.id),
        organizer=ctx.settings.mail_from,
        stamp=ctx.clock.now(),
    )
    return (Attachment("next-meeting.ics", "text/calendar; method=PUBLISH", ics),)


def _reachable(signup: SignupState) -> bool:
    return signup.status == "confirmed" and not signup.person.erased and bool(signup.person.email)


@job
def send_meeting_invitations(workshop_id: str, session_id: str) -> int:
    """Everyone confirmed gets the fixed date of the next meeting with a calendar entry, once."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    if session.next_meeting_at is None:
        return 0
    sent = 0
    for signup in (state.signups[s] for s in session.confirmed):
        if not _reachable(signup):
            continue
        email = signup.person.email
        assert email is not None
        effect = effects.meeting_invitation(session_id, signup.id)

        def compose(signup: SignupState = signup, email: str = email, effect: str = effect) -> Mail:
            return render_mail(
                "meeting_invitation",
                signup.language,
                email,
                effect,
                name=signup.person.name,
                next_meeting_at=session.next_meeting_at,
                attachments=_meeting_attachment(ctx, state, session),
                **session_details(state, session),
            )

        sent += ctx.send_stoppable(state, "reminders", email, signup.language, effect, compose)
    return sent


def sharers(state: WorkshopState, session: SessionState) -> list[SignupState]:
    """The people present who chose to share their contact, one sign-up each, as signed up."""
    found: dict[str, SignupState] = {}
    for signup in (state.signups[s] for s in session.signups):
        if signup.share_contact and _reachable(signup) and was_present(state, signup):
            found.setdefault(signup.participant_id, signup)
    return list(found.values())


@job
def send_contact_exchange(workshop_id: str, session_id: str) -> int:
    """After the session: each person present who chose `share_contact` gets one mail with the
    names, organisations and addresses of the others present who chose it."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    sharing = sharers(state, session)
    sent = 0
    for signup in sharing:
        others = [other.person for other in sharing if other.participant_id != signup.participant_id]
        if not others:
            continue
        email = signup.person.email
        assert email is not None
        effect = effects.contact_exchange(session_id, signup.id)

        def compose(
            signup: SignupState = signup, email: str = email, effect: str = effect, others: list[Person] = others
        ) -> Mail:
            return render_mail(
                "contact_exchange",
                signup.language,
                email,
                effect,
                name=signup.person.name,
                others=[(p.name, p.organisation, p.email) for p in others],
                **session_details(state, session),
            )

        sent += ctx.send_once(workshop_id, effect, compose)
    return sent
