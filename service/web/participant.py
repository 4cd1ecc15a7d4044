"""The participant's pages, for a phone: sign up from the QR code, see the place, and the
personal page (withdraw, mark done, intro talk in the calendar, export, delete)."""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect

from service.api.auth import PARTICIPANT_COOKIE, Access, Principal
from service.api.participation import record_signup
from service.api.problems import BadInput, invalid_field
from service.api.schemas import SignupIn
from service.api.workshops import existing
from service.domain import commands as c
from service.domain.errors import DomainError, Invalid, NotFound
from service.domain.views import Links, personal_data, public_session, waitlist_position
from service.domain.workshop import session_of, signup_of
from service.i18n import N_, PRIVACY_VERSION, gettext
from service.settings import Settings
from service.web.rendering import field_text, language_of, page
from service.workshops import Idempotency, WorkshopService, fingerprint
from workers.calendar import intro_talk_ics

SIGNUP = "/s/{workshop_id:str}/{session_id:str}"
MONTH = 30 * 24 * 3600


def _participant_cookie(token: str) -> Cookie:
    return Cookie(key=PARTICIPANT_COOKIE, value=token, httponly=True, samesite="lax", path="/", max_age=12 * MONTH)


def _me(principal: Principal | None) -> tuple[str, str]:
    if (
        principal is None
        or principal.kind != "participant"
        or not principal.workshop_id
        or not principal.participant_id
    ):
        raise PermissionDeniedException("Participants only.")
    return principal.workshop_id, principal.participant_id


async def _run(service: WorkshopService, workshop_id: str, command: c.Command) -> None:
    """Run a command for a page; the page shows the new state after a redirect."""
    await service.execute(workshop_id, service.command(command, lambda _: (200, {})), None)


class SignupPages(Controller):
    tags = ["pages"]
    include_in_schema = False

    @get(SIGNUP, opt={"access": Access.PUBLIC})
    async def signup_page(
        self,
        request: Request[Any, Any, Any],
        workshop_id: str,
        session_id: str,
        service: WorkshopService,
        links: Links,
    ) -> Response[str]:
        """Reached from the QR code: what the session is, whether there is room, the form."""
        return await self._form(request, workshop_id, session_id, service, links, form={}, error=None)

    async def _form(
        self,
        request: Request[Any, Any, Any],
        workshop_id: str,
        session_id: str,
        service: WorkshopService,
        links: Links,
        form: dict[str, Any],
        error: str | None,
        status: int = 200,
    ) -> Response[str]:
        state = existing(await service.state(workshop_id))
        session = public_session(state, session_of(state, session_id), links)
        return page(
            request,
            "web/signup.html",
            status=status,
            timezone=state.timezone,
            workshop_id=workshop_id,
            workshop_title=state.title,
            location=state.location,
            session=session,
            form=form,
            error=error,
            form_key=form.get("idempotency_key") or secrets.token_urlsafe(16),
        )

    @post(SIGNUP, opt={"access": Access.PUBLIC}, status_code=303)
    async def signup_submit(
        self,
        request: Request[Any, Any, Any],
        workshop_id: str,
        session_id: str,
        service: WorkshopService,
        settings: Settings,
        links: Links,
        principal: Principal | None,
    ) -> Response[Any]:
        """The form's answer: a place or a waitlist position, then the done page."""
        form = dict(await request.form())
        language = language_of(request)
        data = {
            "name": (form.get("name") or "").strip(),
            "email": (form.get("email") or "").strip() or None,
            "organisation": (form.get("organisation") or "").strip() or None,
            "newcomer": True if form.get("newcomer") else None,
            "consent": bool(form.get("consent")),
            "language": language,
            "privacy_version": PRIVACY_VERSION,
        }
        try:
            signup = msgspec.convert(data, SignupIn)
            key = str(form.get("idempotency_key") or "")[:128] or secrets.token_urlsafe(16)
            idempotency = Idempotency(key, fingerprint("POST", request.url.path, data))
            reply = await record_signup(
                request, service, settings, workshop_id, session_id, signup, principal, idempotency
            )
        except (msgspec.ValidationError, BadInput, Invalid) as exc:
            field = invalid_field(exc) if isinstance(exc, msgspec.ValidationError) else exc.field
            return await self._form(
                request,
                workshop_id,
                session_id,
                service,
                links,
                form=form,
                error=field_text(language, field),
                status=400,
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await self._form(
                request,
                workshop_id,
                session_id,
                service,
                links,
                form=form,
                error=gettext(language, "This session is closed."),
                status=409,
            )
        body = msgspec.json.decode(reply.body)
        target = f"/s/{workshop_id}/{session_id}/done?signup={body['signup_id']}" + (
            "&again=1" if reply.status == 200 else ""
        )
        cookies = [_participant_cookie(body["participant_token"])] if body.get("participant_token") else []
        return Redirect(target, status_code=303, cookies=cookies)

    @get(SIGNUP + "/done", opt={"access": Access.PUBLIC})
    async def signup_done(
        self,
        request: Request[Any, Any, Any],
        workshop_id: str,
        session_id: str,
        signup: str,
        service: WorkshopService,
        settings: Settings,
        again: str | None = None,
    ) -> Response[str]:
        state = existing(await service.state(workshop_id))
        session = session_of(state, session_id)
        found = signup_of(state, signup)
        if found.session_id != session_id:
            raise NotFound("sign-up", signup)
        token = request.cookies.get(PARTICIPANT_COOKIE)
        link = f"{settings.base_url}/me?token={token}" if token and f".{found.participant_id}." in token else None
        return page(
            request,
            "web/signup_done.html",
            timezone=state.timezone,
            session_title=session.title,
            placement=found.status,
            position=waitlist_position(session, found.id),
            email=bool(found.person.email),
            link=link,
            again=bool(again),
        )

    @get("/", opt={"access": Access.PUBLIC})
    async def index(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "web/index.html")

    @get("/privacy", opt={"access": Access.PUBLIC})
    async def privacy(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "web/privacy.html", version=PRIVACY_VERSION)


class PersonalPages(Controller):
    path = "/me"
    tags = ["pages"]
    include_in_schema = False

    @get("/", opt={"access": Access.PARTICIPANT})
    async def me(
        self,
        request: Request[Any, Any, Any],
        service: WorkshopService,
        principal: Principal | None,
        token: str | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        """The personal page; the link from the mail signs in once and then leaves the token out."""
        if token:
            return Redirect("/me", status_code=303, cookies=[_participant_cookie(token)])
        workshop_id, participant_id = _me(principal)
        state = await service.state(workshop_id)
        flashes = {"withdrawn": N_("You are signed out of the session."), "done": N_("Marked as done. Thank you!")}
        flash = gettext(language_of(request), flashes[done]) if done in flashes else None
        return page(
            request, "web/me.html", timezone=state.timezone, me=personal_data(state, participant_id), flash=flash
        )

    @post("/signups/{signup_id:str}/withdraw", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def withdraw(self, signup_id: str, service: WorkshopService, principal: Principal | None) -> Redirect:
        workshop_id, participant_id = _me(principal)
        state = await service.state(workshop_id)
        if signup_of(state, signup_id).participant_id != participant_id:
            raise PermissionDeniedException("Not your sign-up.")
        await _run(service, workshop_id, c.WithdrawSignup(signup_id=signup_id))
        return Redirect("/me?done=withdrawn", status_code=303)

    @post("/commitments/{commitment_id:str}/done", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def mark_done(self, commitment_id: str, service: WorkshopService, principal: Principal | None) -> Redirect:
        workshop_id, participant_id = _me(principal)
        commitment = (await service.state(workshop_id)).commitments.get(commitment_id)
        if commitment is None or commitment.owner.subject != participant_id:
            raise PermissionDeniedException("Not your commitment.")
        await _run(service, workshop_id, c.CompleteCommitment(commitment_id=commitment_id))
        return Redirect("/me?done=done", status_code=303)

    @get("/export.json", opt={"access": Access.PARTICIPANT})
    async def export(self, service: WorkshopService, principal: Principal | None) -> Response[bytes]:
        workshop_id, participant_id = _me(principal)
        data = personal_data(await service.state(workshop_id), participant_id)
        return Response(
            msgspec.json.format(msgspec.json.encode(data)),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
        )

    @get("/intro.ics", opt={"access": Access.PARTICIPANT})
    async def intro_calendar(self, service: WorkshopService, principal: Principal | None) -> Response[bytes]:
        workshop_id, participant_id = _me(principal)
        state = await service.state(workshop_id)
        talk = state.intro_talks.get(participant_id)
        if talk is None or talk.slot_id is None:
            raise NotFound("intro talk", participant_id)
        slot = state.intro_slots[talk.slot_id]
        person = state.participants[participant_id].person
        ics = intro_talk_ics(
            method="REQUEST",
            uid=f"intro-{workshop_id}-{participant_id}@knoten",
            sequence=talk.sequence,
            summary=f"{slot.host.name}",
            starts_at=slot.starts_at,
            duration=slot.duration,
            organizer=(slot.host.name or "", slot.host.email or ""),
            attendee=(person.name or "", person.email),
            stamp=service.clock.now(),
        )
        return Response(
            ics, media_type="text/calendar", headers={"Content-Disposition": 'attachment; filename="intro.ics"'}
        )

    @get("/delete", opt={"access": Access.PARTICIPANT})
    async def confirm_delete(
        self, request: Request[Any, Any, Any], service: WorkshopService, principal: Principal | None
    ) -> Response[str]:
        workshop_id, _ = _me(principal)
        return page(request, "web/me_delete.html", workshop_title=(await service.state(workshop_id)).title)

    @post("/delete", opt={"access": Access.PARTICIPANT}, status_code=200)
    async def delete(
        self, request: Request[Any, Any, Any], service: WorkshopService, principal: Principal | None
    ) -> Response[str]:
        workshop_id, participant_id = _me(principal)
        await _run(service, workshop_id, c.ErasePerson(subject=participant_id))
        language = language_of(request)
        return page(
            request,
            "web/message.html",
            heading=gettext(language, N_("Your data is deleted.")),
            text=gettext(
                language, N_("Your name, e-mail address and organisation are gone. Thank you for taking part.")
            ),
            link=None,
            link_text="",
            cookies=[Cookie(key=PARTICIPANT_COOKIE, value="", max_age=0, path="/")],
        )
