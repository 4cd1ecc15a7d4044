"""Sessions: plan, open, close, advance a phase, read (full or public), QR code."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import segno
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.api.problems import BadInput
from service.application.inputs import existing
from service.application.networks import NetworkService, known_group
from service.application.runner import Render, WorkshopService
from service.application.workshops import free_short_code
from service.domain import commands as c
from service.domain.links import Links
from service.domain.lookups import session_of
from service.domain.state import WorkshopState
from service.domain.views import (
    FullSession,
    PublicSession,
    SessionSummary,
    full_session,
    public_session,
    session_summary,
)
from service.schemas import PhaseIn, SessionIn, SessionPatchIn, TableCodeIn, TableCodeOut
from service.security import new_id, new_table_code

SESSION = "/{workshop_id:str}/sessions/{session_id:str}"


def session_reply(session_id: str, links: Links, status: int = 200) -> Render:
    def render(state: WorkshopState) -> tuple[int, FullSession]:
        return status, full_session(state, state.sessions[session_id], links)

    return render


def session_status_reply(session_id: str, links: Links) -> Render:
    """The reply to a change of a session that names no one: its public view, status and counts.
    The full view would list everyone signed up, and the stored reply would keep their names
    and addresses past their erasure."""

    def render(state: WorkshopState) -> tuple[int, PublicSession]:
        return 200, public_session(state, state.sessions[session_id], links)

    return render


def session_summary_reply(session_id: str, links: Links) -> Render:
    """The session as the workshop lists it: every field and the counts, no one's name (a stored
    reply would keep names past their erasure)."""

    def render(state: WorkshopState) -> tuple[int, SessionSummary]:
        return 200, session_summary(state, state.sessions[session_id], links)

    return render


class SignupsOver(HTTPException):
    """The sign-up QR code of a closed or cancelled session (410)."""

    status_code = 410


class CancelledOut(msgspec.Struct, kw_only=True):
    status: str


def change_command(session_id: str, data: SessionPatchIn) -> c.ChangeSession:
    """The command of a PATCH: an empty body changes nothing and is refused; null, or an empty
    room or host, empties the field."""
    given = data.given()
    if not given:
        raise BadInput("body", "name at least one of " + ", ".join(data.__struct_fields__))
    if isinstance(given.get("title"), str):
        given["title"] = given["title"].strip()
    for name in ("room", "host"):
        if isinstance(given.get(name), str):
            given[name] = given[name].strip() or None
    cleared = tuple(name for name, value in given.items() if value is None)
    values = {name: value for name, value in given.items() if value is not None}
    return c.ChangeSession(session_id=session_id, cleared=cleared, **values)


class SessionController(Controller):
    path = "/api/workshops"
    tags = ["sessions"]

    @post("/{workshop_id:str}/sessions", opt={"access": Access.FACILITATOR}, status_code=201)
    async def plan_session(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[SessionIn],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        links: NamedDependency[Links],
    ) -> Response[FullSession]:
        """Plan a session of one of the five formats; `group_id` makes it a meeting of a working
        group of the workshop's network."""
        await known_group(networks, await service.state(workshop_id), data.group_id)
        if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
            raise BadInput("ends_at", "must not be before starts_at")
        sid = new_id()
        fields = {name: getattr(data, name) for name in data.__struct_fields__ if name != "require_table_code"}
        fields["title"] = data.title.strip()
        command = c.PlanSession(
            session_id=sid,
            table_code=new_table_code() if data.require_table_code else None,
            short_code=await free_short_code(service),
            **fields,
        )
        plan = service.command(command, session_reply(sid, links, 201))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @get(SESSION, opt={"access": Access.PUBLIC})
    async def get_session(
        self,
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        principal: NamedDependency[Principal | None],
    ) -> FullSession | PublicSession:
        """The facilitator's full view with a facilitator token; the public view without."""
        state = existing(await service.state(workshop_id))
        session = session_of(state, session_id)
        if principal is not None and principal.manages(workshop_id):
            return full_session(state, session, links)
        return public_session(state, session, links)

    @patch(SESSION, opt={"access": Access.FACILITATOR}, status_code=200)
    async def change_session(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[SessionPatchIn],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        links: NamedDependency[Links],
    ) -> Response[SessionSummary]:
        """Change a planned or open session: any of title, room, times, capacity, host, next
        meeting, dot budget. A raised capacity gives waitlisted people places, in order (each
        gets a mail); a lowered one takes no one's place. A new time or room is mailed to
        everyone signed up, with the updated calendar entry."""
        if isinstance(data.group_id, str) and data.group_id:
            await known_group(networks, await service.state(workshop_id), data.group_id)
        plan = service.command(change_command(session_id, data), session_summary_reply(session_id, links))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/cancel", opt={"access": Access.FACILITATOR}, status_code=200)
    async def cancel_session(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[CancelledOut]:
        """Cancel the session: everyone signed up (the waitlist too) gets one mail with the
        calendar cancellation; no more sign-ups. Again: the same answer, nothing more sent."""
        plan = service.command(
            c.CancelSession(session_id=session_id), lambda _: (200, CancelledOut(status="cancelled"))
        )
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/open", opt={"access": Access.FACILITATOR}, status_code=200)
    async def open_session(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[PublicSession]:
        """Open the session; the reply is its public view (status and counts)."""
        plan = service.command(c.OpenSession(session_id=session_id), session_status_reply(session_id, links))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/close", opt={"access": Access.FACILITATOR}, status_code=200)
    async def close_session(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[PublicSession]:
        """Close the session: no more writes; its digest and follow-up clock start. The reply is
        its public view (status and counts)."""
        plan = service.command(c.CloseSession(session_id=session_id), session_status_reply(session_id, links))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/phase", opt={"access": Access.FACILITATOR}, status_code=200)
    async def advance_phase(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[PhaseIn],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[PublicSession]:
        """Zukunftswerkstatt only, forward only: kritik → phantasie → verwirklichung. The reply
        is the session's public view (status, phase and counts)."""
        command = c.AdvancePhase(session_id=session_id, phase=data.phase)
        plan = service.command(command, session_status_reply(session_id, links))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/table-code", opt={"access": Access.FACILITATOR}, status_code=200)
    async def set_table_code(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[TableCodeIn],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[TableCodeOut]:
        """Require the table code for sign-ups (a new code each time), or stop requiring one.
        The QR code and the sign-up link on the console carry the code."""
        command = c.SetTableCode(session_id=session_id, table_code=new_table_code() if data.required else None)

        def render(state: WorkshopState) -> tuple[int, TableCodeOut]:
            code = state.sessions[session_id].table_code
            return 200, TableCodeOut(table_code=code, signup_url=links.signup(workshop_id, session_id, code))

        return respond(
            await service.execute(workshop_id, service.command(command, render), await idempotency_of(request))
        )

    @get(SESSION + "/qr.svg", opt={"access": Access.PUBLIC}, media_type="image/svg+xml")
    async def qr_code(
        self,
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        principal: NamedDependency[Principal | None],
    ) -> bytes:
        """The QR code of the session's sign-up link, for the table; with the table code only
        for the session's facilitators (anyone may fetch this picture). Gone (410) once the
        session is closed or cancelled: a link that takes no more sign-ups is not handed out."""
        state = existing(await service.state(workshop_id))
        session = session_of(state, session_id)
        if not session.takes_signups():
            raise SignupsOver(detail=f"The session is {session.status}; it takes no more sign-ups.")
        code = session.table_code if principal is not None and principal.manages(workshop_id) else None
        out = io.BytesIO()
        segno.make(links.signup(workshop_id, session_id, code), error="m").save(
            out, kind="svg", scale=8, border=2, title="Sign-up"
        )
        return out.getvalue()
