"""Digests: when sessions or the workshop close, the organisers get the record by mail
(Markdown as text, the print-ready page as HTML, the PDFs attached).

Sessions that close close together go out in one mail: a session's digest job runs
`digest_wait` after its close (dispatch schedules it), and only the job of the last close
still waiting mails, with every digest not sent yet. Closing the workshop sends the report
at once, with the digests not sent yet; they are not sent again. Each digest and the report
are effects in the ledger, recorded together with the mail that carried them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from service.application.public_digests import public_digest_url
from service.domain import effects
from service.domain import network as n
from service.domain.digests import SessionDigest, named_in_digest, session_digest, workshop_report
from service.domain.links import Links
from service.domain.state import SessionState, WorkshopState
from service.i18n import gettext
from service.reports import pdf, render
from service.reports.filenames import download_name
from workers.context import Context, context, job
from workers.mail import Attachment, Mail


def _settled(effect: str, done: dict[str, datetime]) -> bool:
    """Sent, or not to be sent because its recipient stopped such mails."""
    return effect in done or effects.mail_stopped(effect) in done


def waiting_digests(state: WorkshopState, done: dict[str, datetime]) -> list[SessionState]:
    """Closed sessions whose digest has not gone out, in the order they closed."""
    closed = [s for s in state.sessions.values() if s.status == "closed" and s.closed_at is not None]
    waiting = [s for s in closed if not _settled(effects.session_digest(s.id), done)]
    return sorted(waiting, key=lambda s: (s.closed_at, s.id))


def _day(moment: datetime | None, state: WorkshopState) -> date | None:
    return moment.astimezone(ZoneInfo(state.timezone)).date() if moment else None


def _digest_pdf(digest: SessionDigest, session: SessionState, state: WorkshopState, language: str) -> Attachment:
    day = _day(session.starts_at or state.starts_at, state)
    name = download_name(gettext(language, "Documentation"), digest.title, day)
    return Attachment(f"{name}.pdf", "application/pdf", pdf.digest_pdf(digest, language))


def _digests_mail(ctx: Context, state: WorkshopState, sessions: list[SessionState], to: str, due: list[str]) -> Mail:
    language = state.language
    digests = [session_digest(state, s, ctx.clock.now()) for s in sessions]
    return Mail(
        effect="+".join(due),
        to=to,
        subject=gettext(language, "Documentation: %(title)s") % {"title": ", ".join(d.title for d in digests)},
        text="\n\n---\n\n".join(render.digest_markdown(d, language) for d in digests),
        html=render.digests_html(digests, language),
        attachments=tuple(_digest_pdf(d, s, state, language) for d, s in zip(digests, sessions, strict=True)),
    )


@job
def produce_session_digest(workshop_id: str, session_id: str) -> bool:
    """Mail the digests of the sessions closed together, once each: this session's job mails
    them when its close is the last one waiting; otherwise a later close's job or the report
    takes this digest along."""
    ctx = context()
    state = ctx.state(workshop_id)

    def pending(done: dict[str, datetime]) -> list[str]:
        if state.status == "closed" and not _settled(effects.workshop_report(), done):
            return []  # the report is on its way and takes every digest not sent
        waiting = waiting_digests(state, done)
        if not waiting or waiting[-1].id != session_id:
            return []
        return [effects.session_digest(s.id) for s in waiting]

    if not state.organiser_email:
        return bool(ctx.ledger.together(workshop_id, effects.digest_mailing(), pending, lambda _due: None))
    to = state.organiser_email

    def compose(due: list[str]) -> Mail:
        sessions = [s for s in waiting_digests(state, {}) if effects.session_digest(s.id) in due]
        return _digests_mail(ctx, state, sessions, to, due)

    return bool(ctx.send_stoppable_together(state, "digests", to, state.language, pending, compose))


@job
def send_participant_digests(workshop_id: str, session_id: str) -> int:
    """Mail the digest for participants to everyone of the session who asked for it (once each):
    their version names only themselves and those who chose to share their contact, and links
    the public version, which names no one."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    public = public_digest_url(Links(ctx.settings.base_url), ctx.settings.secret_key, workshop_id, session_id)
    sent = 0
    for signup in (state.signups[s] for s in session.signups):
        if not signup.wants_digest or signup.status == "withdrawn" or signup.person.erased or not signup.person.email:
            continue
        to, language, effect = signup.person.email, signup.language, effects.participant_digest(session_id, signup.id)

        def compose(
            reader: str = signup.participant_id, to: str = to, language: str = language, effect: str = effect
        ) -> Mail:
            named = named_in_digest(state, session, reader)
            digest = session_digest(state, session, ctx.clock.now(), named)
            note = gettext(language, "Share the version without names: %(link)s") % {"link": public}
            return Mail(
                effect=effect,
                to=to,
                subject=gettext(language, "Documentation: %(title)s") % {"title": digest.title},
                text=render.digest_markdown(digest, language) + "\n" + note + "\n",
                html=render.digest_html(digest, language),
                attachments=(
                    Attachment(f"digest-{session_id}.pdf", "application/pdf", pdf.digest_pdf(digest, language)),
                ),
            )

        sent += ctx.send_stoppable(state, "digests", to, language, effect, compose)
    return sent


@job
def send_group_digest(workshop_id: str, session_id: str) -> bool:
    """Mail the digest of a working group's session to the group's patron (once), as the
    organisers get it: the group's people by name (the sign-up page told them)."""
    ctx = context()
    state = ctx.state(workshop_id)
    session = state.sessions[session_id]
    if session.group_id is None or state.network_id is None:
        return False
    network = n.fold(n.NetworkState(id=state.network_id), ctx.log.read_sync(state.network_id))
    group = network.groups.get(session.group_id)
    patron = group.patron if group is not None else None
    if patron is None or not patron.email:
        return False
    language, to, effect = state.language, patron.email, effects.group_digest(session_id)

    def compose() -> Mail:
        digest = session_digest(state, session, ctx.clock.now())
        return Mail(
            effect=effect,
            to=to,
            subject=gettext(language, "Documentation: %(title)s") % {"title": digest.title},
            text=render.digest_markdown(digest, language),
            html=render.digest_html(digest, language),
            attachments=(Attachment(f"digest-{session_id}.pdf", "application/pdf", pdf.digest_pdf(digest, language)),),
        )

    return ctx.send_stoppable(state, "digests", to, language, effect, compose)


@job
def produce_workshop_report(workshop_id: str) -> bool:
    """Mail the workshop report to the organisers when the workshop closes (once), with the
    PDFs of the digests that have not gone out yet."""
    ctx = context()
    state = ctx.state(workshop_id)
    language = state.language
    report_effect = effects.workshop_report()

    def pending(done: dict[str, datetime]) -> list[str]:
        if _settled(report_effect, done):
            return []
        return [report_effect, *(effects.session_digest(s.id) for s in waiting_digests(state, done))]

    if not state.organiser_email:
        return bool(ctx.ledger.together(workshop_id, effects.digest_mailing(), pending, lambda _due: None))
    to = state.organiser_email

    def compose(due: list[str]) -> Mail:
        report = workshop_report(state, ctx.ledger.all_done(workshop_id), ctx.clock.now())
        sessions = [s for s in waiting_digests(state, {}) if effects.session_digest(s.id) in due]
        digests = [session_digest(state, s, ctx.clock.now()) for s in sessions]
        name = download_name(gettext(language, "Report"), report.title, _day(state.starts_at, state))
        return Mail(
            effect=report_effect,
            to=to,
            subject=gettext(language, "Report: %(title)s") % {"title": report.title},
            text=render.report_markdown(report, language),
            html=render.report_html(report, language),
            attachments=(
                Attachment(f"{name}.pdf", "application/pdf", pdf.report_pdf(report, language)),
                *(_digest_pdf(d, s, state, language) for d, s in zip(digests, sessions, strict=True)),
            ),
        )

    return bool(ctx.send_stoppable_together(state, "digests", to, language, pending, compose))
