"""Digests: when a session or the workshop closes, the organisers get the record by mail
(Markdown as text, the print-ready page as HTML, the PDF attached)."""

from __future__ import annotations

from service.application.public_digests import public_digest_url
from service.domain import effects
from service.domain.digests import named_in_digest, session_digest, workshop_report
from service.domain.links import Links
from service.i18n import gettext
from service.reports import pdf, render
from workers.context import context, job
from workers.mail import Attachment, Mail


@job
def produce_session_digest(workshop_id: str, session_id: str) -> bool:
    """Mail a closed session's digest to the organisers (once); without an address, just record it."""
    ctx = context()
    state = ctx.state(workshop_id)
    language = state.language
    effect = effects.session_digest(session_id)
    if not state.organiser_email:
        return ctx.ledger.once(workshop_id, effect, lambda: None)
    to = state.organiser_email

    def compose() -> Mail:
        digest = session_digest(state, state.sessions[session_id], ctx.clock.now())
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
def produce_workshop_report(workshop_id: str) -> bool:
    """Mail the workshop report to the organisers when the workshop closes (once)."""
    ctx = context()
    state = ctx.state(workshop_id)
    language = state.language
    effect = effects.workshop_report()
    if not state.organiser_email:
        return ctx.ledger.once(workshop_id, effect, lambda: None)
    to = state.organiser_email

    def compose() -> Mail:
        report = workshop_report(state, ctx.ledger.all_done(workshop_id), ctx.clock.now())
        return Mail(
            effect=effect,
            to=to,
            subject=gettext(language, "Report: %(title)s") % {"title": report.title},
            text=render.report_markdown(report, language),
            html=render.report_html(report, language),
            attachments=(Attachment(f"report-{workshop_id}.pdf", "application/pdf", pdf.report_pdf(report, language)),),
        )

    return ctx.send_stoppable(state, "digests", to, language, effect, compose)
