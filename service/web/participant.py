"""The participant's pages, for a phone: sign up from the QR code, see the place, and the
personal page (withdraw, mark done, intro talk in the calendar, export, delete)."""

from __future__ import annotations

import functools
import secrets
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from service.api.auth import (
    PARTICIPANT_COOKIE,
    TOKEN_SEPARATOR,
    Access,
    Credential,
    Principal,
    identify,
    participant_tokens,
    sign_in_cookie,
)
from service.api.problems import BadInput, invalid_field
from service.application.inputs import checked_email, existing
from service.application.links_again import LinksAgain
from service.application.network_people import erase_in_network, member_organisations, tombstone_of
from service.application.networks import NetworkService, group_of_session, groups_of_person
from service.application.runner import Idempotency, WorkshopService, fingerprint
from service.application.signups import record_signup
from service.domain import commands as c
from service.domain.errors import DomainError, Forbidden, Invalid, NotFound
from service.domain.links import PAGES, Links
from service.domain.lookups import session_of, signup_of
from service.domain.state import SessionState, SignupState, WorkshopState, groups_of
from service.domain.views import elsewhere, participant_panel, personal_data, public_session, waitlist_position
from service.i18n import N_, PRIVACY_VERSION, gettext
from service.reports.calendar import talk_invitation
from service.schemas import SignupIn, breaks_single_line
from service.security import new_id, new_token, token_hash
from service.settings import Settings
from service.web.commands import run
from service.web.rendering import field_text, language_of, page
from service.web.token_links import PARTICIPANT_SECONDS, participant_cookie, trade_token_link

SIGNUP = "/s/{workshop_id:str}/{session_id:str}"
ME = "/{workshop_id:str}/{participant_id:str}"
NEWCOMER_ANSWERS = {"yes": True, "no": False}


def _signup_here(state: WorkshopState, session: SessionState, principal: Principal | None) -> SignupState | None:
    """The active sign-up in this session of the participant whose token this device holds."""
    if principal is None or principal.kind != "participant" or principal.workshop_id != state.id:
        return None
    for signup_id in session.signups:
        signup = state.signups[signup_id]
        if signup.participant_id == principal.participant_id and signup.status != "withdrawn":
            return signup
    return None


def _token_prefix(workshop_id: str, participant_id: str) -> str:
    """How every token of this participant starts (`new_token("p", workshop, participant)`)."""
    return f"p.{workshop_id}.{participant_id}."


def _me(principal: Principal | None, workshop_id: str, participant_id: str) -> tuple[str, str]:
    """The person of a personal page's path, if the device holds their token."""
    if (
        principal is None
        or principal.kind != "participant"
        or principal.workshop_id != workshop_id
        or principal.participant_id != participant_id
    ):
        raise PermissionDeniedException("Participants only.")
    return workshop_id, participant_id


async def _people_of_device(request: Request[Any, Any, Any], service: WorkshopService) -> list[Any]:
    """Every person whose valid token this device holds: their data, newest sign-in first; each
    person once, though the device may hold two tokens of theirs (the sign-up's and a mailed link's)."""
    found = []
    seen: set[tuple[str, str]] = set()
    for token in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE)):
        principal = await identify(Credential(token), request.app.state)
        if principal is None or principal.kind != "participant" or not principal.participant_id:
            continue
        assert principal.workshop_id is not None
        if (principal.workshop_id, principal.participant_id) in seen:
            continue
        seen.add((principal.workshop_id, principal.participant_id))
        state = await service.state(principal.workshop_id)
        found.append((state.timezone, personal_data(state, principal.participant_id)))
    return found


class SignupPages(Controller):
    tags = ["pages"]
    include_in_schema = False

    @get(SIGNUP, opt={"access": Access.PUBLIC})
    async def signup_page(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        principal: NamedDependency[Principal | None],
        code: FromQuery[str | None] = None,
    ) -> Response[str]:
        """Reached from the QR code: what the session is, whether there is room, the form. A
        phone signed up here shows the session's panel instead of the form: cards and dots,
        Biete/Suche, the date poll, live and queued while offline."""
        form = {"table_code": code} if code else {}
        state = existing(await service.state(workshop_id))
        mine = _signup_here(state, session_of(state, session_id), principal)
        if mine is not None:
            panel = participant_panel(state, state.sessions[session_id], mine.participant_id)
            return await self._form(
                request,
                workshop_id,
                session_id,
                service,
                links,
                form=form,
                error=None,
                mine=mine,
                me=panel,
                version=state.version,
                position=waitlist_position(state.sessions[session_id], mine.id),
            )
        return await self._form(request, workshop_id, session_id, service, links, form=form, error=None)

    @get(SIGNUP + "/panel", opt={"access": Access.MEMBER})
    async def panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[str]:
        """The phone's live part of the session, fetched again on every signal."""
        state = existing(await service.state(workshop_id))
        session = session_of(state, session_id)
        mine = _signup_here(state, session, principal)
        return page(
            request,
            "web/_participant_panel.html",
            timezone=state.timezone,
            workshop_id=workshop_id,
            session=public_session(state, session, PAGES),
            mine=mine,
            me=participant_panel(state, session, mine.participant_id if mine else None),
        )

    @get(SIGNUP + "/station", opt={"access": Access.PUBLIC})
    async def station_page(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        done: FromQuery[str | None] = None,
        position: FromQuery[int | None] = None,
        code: FromQuery[str | None] = None,
    ) -> Response[str]:
        """The sign-up station: a tablet at the table, passed from hand to hand. After each
        sign-up an empty form again; no cookie, no personal link on screen (it goes by mail)."""
        form = {"table_code": code} if code else {}
        thanks = done if done in {"confirmed", "waitlisted", "again"} else None
        return await self._form(
            request,
            workshop_id,
            session_id,
            service,
            links,
            form=form,
            error=None,
            station=True,
            thanks=thanks,
            position=position,
        )

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
        station: bool = False,
        **extra: Any,
    ) -> Response[str]:
        state = existing(await service.state(workshop_id))
        found = session_of(state, session_id)
        session = public_session(state, found, links)
        others = [] if found.takes_signups() else elsewhere(state, session_id, links)
        organisations = await member_organisations(request.app.state.networks, state)
        return page(
            request,
            "web/signup.html",
            organisations=organisations,
            group=await group_of_session(request.app.state.networks, state, found),
            others=others,
            status=status,
            timezone=state.timezone,
            workshop_id=workshop_id,
            workshop_title=state.title,
            location=state.location,
            session=session,
            form=form,
            error=error,
            station=station,
            form_key=(None if station and not error else form.get("idempotency_key")) or secrets.token_urlsafe(16),
            **{"thanks": None, "position": None, "mine": None, "me": None, **extra},
        )

    @post(SIGNUP, opt={"access": Access.PUBLIC}, status_code=303)
    async def signup_submit(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[Any]:
        """The form's answer: a place or a waitlist position, then the done page."""
        return await self._submit(request, workshop_id, session_id, service, settings, links, station=False)

    @post(SIGNUP + "/station", opt={"access": Access.PUBLIC}, status_code=303)
    async def station_submit(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[Any]:
        """A sign-up at the station: back to an empty form, with a short thank-you."""
        return await self._submit(request, workshop_id, session_id, service, settings, links, station=True)

    async def _submit(
        self,
        request: Request[Any, Any, Any],
        workshop_id: str,
        session_id: str,
        service: WorkshopService,
        settings: Settings,
        links: Links,
        station: bool,
    ) -> Response[Any]:
        form = dict(await request.form())
        language = language_of(request)
        data = {
            "name": (form.get("name") or "").strip(),
            "email": (form.get("email") or "").strip() or None,
            "organisation": (form.get("organisation") or "").strip() or None,
            "newcomer": NEWCOMER_ANSWERS.get(str(form.get("newcomer"))),
            "consent": bool(form.get("consent")),
            "language": language,
            "privacy_version": PRIVACY_VERSION,
            "table_code": str(form.get("table_code") or "").strip().upper() or None,
            "share_contact": bool(form.get("share_contact")),
            "wants_digest": bool(form.get("wants_digest")),
        }
        again = functools.partial(self._form, request, workshop_id, session_id, service, links, form, station=station)
        try:
            signup = msgspec.convert(data, SignupIn)
            checked_email(signup.email, "email")  # the form's order: name, e-mail, organisation, new?, consent
            if signup.newcomer is None:
                raise BadInput("newcomer", "please say whether you are new")
            key = str(form.get("idempotency_key") or "")[:128] or secrets.token_urlsafe(16)
            idempotency = Idempotency(key, fingerprint("POST", request.url.path, data))
            signed = await record_signup(request, service, settings, workshop_id, session_id, signup, idempotency)
        except (msgspec.ValidationError, BadInput, Invalid) as exc:
            return await again(error=_form_error(language, exc, data), status=400)
        except Forbidden:
            message = N_("Please scan the QR code at the table, or type the code from the poster.")
            return await again(error=gettext(language, message), status=403)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            ended = existing(await service.state(workshop_id)).sessions[session_id].status == "cancelled"
            message = N_("This session was cancelled.") if ended else N_("This session is closed.")
            return await again(error=gettext(language, message), status=409)
        known, answer = signed.reply.status == 200, signed.signup
        if station:
            done = "again" if known else answer.status
            again_url = PAGES.station_again(workshop_id, session_id, done, answer.waitlist_position, signup.table_code)
            return Redirect(again_url, status_code=303)
        target = PAGES.signup_done(workshop_id, session_id, answer.signup_id, again=known)
        token = answer.participant_token
        cookies = [participant_cookie(request, settings, token)] if token else []
        return Redirect(target, status_code=303, cookies=cookies)

    @get(SIGNUP + "/done", opt={"access": Access.PUBLIC})
    async def signup_done(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        signup: FromQuery[str],
        service: NamedDependency[WorkshopService],
        again: FromQuery[str | None] = None,
    ) -> Response[str]:
        state = existing(await service.state(workshop_id))
        session = session_of(state, session_id)
        found = signup_of(state, signup)
        if found.session_id != session_id:
            raise NotFound("sign-up", signup)
        mine = _token_prefix(workshop_id, found.participant_id)
        on_device = any(t.startswith(mine) for t in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE)))
        return page(
            request,
            "web/signup_done.html",
            timezone=state.timezone,
            session_title=session.title,
            placement=found.status,
            position=waitlist_position(session, found.id),
            email=bool(found.person.email),
            link=PAGES.me() if on_device else None,
            session_link=PAGES.signup(workshop_id, session_id) if on_device else None,
            again=bool(again),
        )

    @get("/", opt={"access": Access.PUBLIC})
    async def index(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "web/index.html")

    @get("/privacy", opt={"access": Access.PUBLIC})
    async def privacy(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "web/privacy.html", version=PRIVACY_VERSION)


def _form_error(language: str, exc: msgspec.ValidationError | BadInput | Invalid, data: dict[str, Any]) -> str:
    """The message for the field the error names."""
    field = invalid_field(exc) if isinstance(exc, msgspec.ValidationError) else exc.field
    if breaks_single_line(SignupIn, field, data.get(field)):
        return gettext(language, N_("Please write your name and organisation on one line, in plain letters."))
    return field_text(language, field)


class PersonalPages(Controller):
    path = "/me"
    tags = ["pages"]
    include_in_schema = False

    @get("/", opt={"access": Access.PUBLIC})
    async def me(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
        token: FromQuery[str | None] = None,
        done: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Every workshop (and person) this device signed up with; the link from a mail signs
        in once and then leaves the token out of the address."""
        if token:
            return await trade_token_link(request, settings, token)
        people = await _people_of_device(request, service)
        groups = {
            me.workshop_id: await groups_of_person(networks, service, me.workshop_id, me.participant_id)
            for _z, me in people
        }
        language = language_of(request)
        if not people:
            return page(
                request,
                "web/message.html",
                heading=gettext(language, N_("No sign-ups on this device")),
                text=gettext(language, N_("Open the personal link from your confirmation e-mail.")),
                link=PAGES.link_again(),
                link_text=gettext(language, N_("Send my link again")),
            )
        flashes = {
            "withdrawn": N_("You are signed out of the session."),
            "done": N_("Marked as done. Thank you!"),
            "links_ended": N_("Every earlier link has ended. This device stays signed in."),
            "left_group": N_("You have left the working group."),
        }
        flash = gettext(language, flashes[done]) if done in flashes else None
        return page(request, "web/me.html", timezone=people[0][0], people=people, groups=groups, flash=flash)

    @get("/link", opt={"access": Access.PUBLIC})
    async def link_again_form(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "web/link_again.html")

    @post("/link", opt={"access": Access.PUBLIC}, status_code=200)
    async def link_again(
        self, request: Request[Any, Any, Any], links_again: NamedDependency[LinksAgain]
    ) -> Response[str]:
        """The same answer whatever the address, sent first (see `POST /api/me/link`)."""
        email = (await request.form()).get("email")
        language = language_of(request)
        answer = page(
            request,
            "web/message.html",
            heading=gettext(language, N_("Send my link again")),
            text=gettext(language, N_("If we know the address, an e-mail is on its way.")),
            link=None,
            link_text="",
        )
        answer.background = BackgroundTask(links_again.request, email if isinstance(email, str) else "", new_id())
        return answer

    @post(ME + "/signups/{signup_id:str}/withdraw", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def withdraw(
        self,
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        signup_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Redirect:
        _me(principal, workshop_id, participant_id)
        state = await service.state(workshop_id)
        if signup_of(state, signup_id).participant_id != participant_id:
            raise PermissionDeniedException("Not your sign-up.")
        await run(service, workshop_id, c.WithdrawSignup(signup_id=signup_id))
        return Redirect(PAGES.me(done="withdrawn"), status_code=303)

    @post(ME + "/groups/{group_id:str}/leave", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def leave_group(
        self,
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        group_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Redirect:
        """The person leaves a working group they joined by signing up to one of its sessions."""
        _me(principal, workshop_id, participant_id)
        if group_id not in groups_of(await service.state(workshop_id), participant_id):
            raise NotFound("working group", group_id)
        await run(service, workshop_id, c.LeaveGroup(participant_id=participant_id, group_id=group_id))
        return Redirect(PAGES.me(done="left_group"), status_code=303)

    @post(ME + "/commitments/{commitment_id:str}/done", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def mark_done(
        self,
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        commitment_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Redirect:
        _me(principal, workshop_id, participant_id)
        commitment = (await service.state(workshop_id)).commitments.get(commitment_id)
        if commitment is None or commitment.owner.subject != participant_id:
            raise PermissionDeniedException("Not your commitment.")
        await run(service, workshop_id, c.CompleteCommitment(commitment_id=commitment_id))
        return Redirect(PAGES.me(done="done"), status_code=303)

    @post(ME + "/links/end", opt={"access": Access.PARTICIPANT}, status_code=303)
    async def end_earlier_links(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal | None],
    ) -> Redirect:
        """Every earlier personal link of the person stops working; this device gets a fresh one."""
        _me(principal, workshop_id, participant_id)
        token = new_token("p", workshop_id, participant_id)
        command = c.EndEarlierLinks(participant_id=participant_id, token_hash=token_hash(settings.secret_key, token))
        await run(service, workshop_id, command)
        mine = _token_prefix(workshop_id, participant_id)
        kept = [t for t in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE)) if not t.startswith(mine)]
        cookie = sign_in_cookie(settings, PARTICIPANT_COOKIE, TOKEN_SEPARATOR.join([token, *kept]), PARTICIPANT_SECONDS)
        return Redirect(PAGES.me(done="links_ended"), status_code=303, cookies=[cookie])

    @get(ME + "/export.json", opt={"access": Access.PARTICIPANT})
    async def export(
        self,
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[bytes]:
        _me(principal, workshop_id, participant_id)
        data = personal_data(await service.state(workshop_id), participant_id)
        return Response(
            msgspec.json.format(msgspec.json.encode(data)),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
        )

    @get(ME + "/intro.ics", opt={"access": Access.PARTICIPANT})
    async def intro_calendar(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal | None],
    ) -> Response[bytes]:
        _me(principal, workshop_id, participant_id)
        state = await service.state(workshop_id)
        talk = state.intro_talks.get(participant_id)
        if talk is None or talk.slot_id is None:
            raise NotFound("intro talk", participant_id)
        slot = state.intro_slots[talk.slot_id]
        language = language_of(request)
        ics = talk_invitation(state, talk, slot, "REQUEST", language, settings.mail_from, service.clock.now())
        return Response(
            ics, media_type="text/calendar", headers={"Content-Disposition": 'attachment; filename="intro.ics"'}
        )

    @get(ME + "/delete", opt={"access": Access.PARTICIPANT})
    async def confirm_delete(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[str]:
        _me(principal, workshop_id, participant_id)
        state = existing(await service.state(workshop_id))
        return page(
            request,
            "web/me_delete.html",
            workshop_title=state.title,
            in_network=state.network_id is not None,
            action=PAGES.erase_me(workshop_id, participant_id),
        )

    @post(ME + "/delete", opt={"access": Access.PARTICIPANT}, status_code=200)
    async def delete(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        participant_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal | None],
    ) -> Response[str]:
        _me(principal, workshop_id, participant_id)
        tombstone = tombstone_of(settings.secret_key, workshop_id, participant_id)
        await erase_in_network(service, workshop_id, participant_id, tombstone)
        await run(service, workshop_id, c.ErasePerson(subject=participant_id, tombstone=tombstone))
        language = language_of(request)
        mine = _token_prefix(workshop_id, participant_id)
        kept = [t for t in participant_tokens(request.cookies.get(PARTICIPANT_COOKIE)) if not t.startswith(mine)]
        cookie = (
            sign_in_cookie(settings, PARTICIPANT_COOKIE, TOKEN_SEPARATOR.join(kept), PARTICIPANT_SECONDS)
            if kept
            else Cookie(key=PARTICIPANT_COOKIE, value="", max_age=0, path="/")
        )
        return page(
            request,
            "web/message.html",
            heading=gettext(language, N_("Your data is deleted.")),
            text=gettext(
                language, N_("Your name, e-mail address and organisation are gone. Thank you for taking part.")
            ),
            link=PAGES.me() if kept else None,
            link_text=gettext(language, N_("My other sign-ups")) if kept else "",
            cookies=[cookie],
        )
