"""The facilitator's and organiser's pages: sign in with the login code, the workshop board,
the session console (live, offline-tolerant), the intro talks, and the report."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import anyio
import msgspec
import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from markupsafe import Markup

from service.api.auth import FACILITATOR_COOKIE, Access, sign_in_cookie
from service.api.problems import BadInput, bad_input
from service.application.carried import carried
from service.application.inputs import existing
from service.application.intro_slots import offer_command, slot_out
from service.application.public_digests import public_digest_url
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.digests import in_time_order, workshop_report
from service.domain.errors import DomainError
from service.domain.events import PlaceReleased, WaitlistPromoted
from service.domain.formats import FORMATS, format_of
from service.domain.intro import intro_talks
from service.domain.links import PAGES, Links
from service.domain.lookups import session_of
from service.domain.rules import decide
from service.domain.state import WorkshopState
from service.domain.views import (
    PublicSession,
    full_session,
    photo_entries,
    public_session,
    session_summary,
    workshop_view,
)
from service.i18n import short_when
from service.reports.render import report_charts
from service.schemas import IntroSlotIn
from service.security import keyed_hash, new_table_code, new_token, token_hash
from service.settings import Settings
from service.web.commands import run
from service.web.rendering import NO_STORE, language_of, page

STATIC = Path(__file__).parent / "static"
WORKSHOP = "/w/{workshop_id:str}"
MONTH = 30 * 24 * 3600


def _offset(state: WorkshopState, now: datetime) -> str:
    """The workshop's UTC offset on its first day (else now), e.g. +01:00, for times typed into
    the pages: a session planned in winter for a day in summer is at the summer time it says."""
    delta = (state.starts_at or now).astimezone(ZoneInfo(state.timezone)).utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _context(state: WorkshopState, links: Links, section: str) -> dict[str, Any]:
    return {
        "workshop": workshop_view(state, links),
        "version": state.version,
        "section": section,
        "timezone": state.timezone,
    }


def _slots(state: WorkshopState, links: Links, language: str) -> list[tuple[str, list[Any]]]:
    """Sessions by time slot, then room."""
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    ordered = sorted(state.sessions.values(), key=lambda s: (s.starts_at or far, s.room or "", s.title))
    grouped = []
    for starts_at, sessions in groupby(ordered, key=lambda s: s.starts_at):
        heading = short_when(starts_at, language, state.timezone) if starts_at else "–"
        grouped.append((heading, [session_summary(state, s, links) for s in sessions]))
    return grouped


class ReleasePreview(NamedTuple):
    """What "release places" would do now: how many lose their place, how many get one and a mail."""

    released: int
    promoted: int


def _release_preview(state: WorkshopState, session_id: str, now: datetime) -> ReleasePreview | None:
    """None when there is nothing to release (or the session is not open)."""
    try:
        events = decide(state, c.ReleaseAbsent(session_id=session_id), now)
    except DomainError:
        return None
    released = sum(1 for event in events if isinstance(event, PlaceReleased))
    promoted = sum(
        1 for event in events if isinstance(event, WaitlistPromoted) and state.signups[event.signup_id].person.email
    )  # only people with an address get a mail
    return ReleasePreview(released, promoted) if released else None


def _local_input(state: WorkshopState) -> Any:
    """A time as a datetime-local field shows it: in the workshop's time zone, to the minute."""

    def local(value: datetime | None) -> str:
        return "" if value is None else value.astimezone(ZoneInfo(state.timezone)).strftime("%Y-%m-%dT%H:%M")

    return local


async def _console(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    links: Links,
    settings: Settings,
    workshop_id: str,
    session_id: str,
    template: str,
) -> Response[str]:
    state = existing(await service.state(workshop_id))
    held = session_of(state, session_id)
    session = full_session(state, held, links)
    session_format = format_of(session.format)
    qr = _qr_svg(session.signup_url)
    closed = held.status == "closed"
    return page(
        request,
        template,
        session=session,
        phases=list(session_format.phases),
        qr=qr,
        short_link=session.short_url.split("://")[-1],
        release=_release_preview(state, session_id, service.clock.now()),
        carried=await carried(service, workshop_id),
        local_input=_local_input(state),
        zone_of=lambda value: _offset(state, value or service.clock.now()),
        photos=photo_entries(held, links, workshop_id),
        digest_html=links.digest_document(workshop_id, session_id, "html") if closed else None,
        digest_pdf=links.digest_document(workshop_id, session_id, "pdf") if closed else None,
        public_digest=public_digest_url(links, settings.secret_key, workshop_id, session_id) if closed else None,
        **_context(state, links, "board"),
    )


def _qr_svg(url: str, *, scalable: bool = False) -> Markup:
    """The QR code as inline SVG; `scalable`: without a fixed size, as large as its box."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=scalable)
    return Markup(svg)  # noqa: S704 - segno SVG


def _elsewhere(state: WorkshopState, session_id: str, links: Links) -> list[PublicSession]:
    """Where a person can still sign up when this session has closed: other sessions that are
    not closed and have a free place, in time order (at most four, for a wall)."""
    others = [s for s in in_time_order(state.sessions.values()) if s.id != session_id]
    candidates = [public_session(state, s, links) for s in others if s.status in ("planned", "open")]
    return [s for s in candidates if s.seats_left is None or s.seats_left > 0][:4]


LIVE_ON_THE_WALL = frozenset(  # the formats whose live state a projector shows: those with the template
    name for name in FORMATS if (files("service") / "templates" / "formats" / name / "projector.html").is_file()
)
WALL_ROWS = 7  # rows of a ranking, an agenda or a market's column that a wall shows


async def _projector(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    links: Links,
    workshop_id: str,
    session_id: str,
    template: str,
) -> Response[str]:
    state = existing(await service.state(workshop_id))
    held = session_of(state, session_id)
    session = public_session(state, held, links)
    theme = "light" if request.query_params.get("theme") == "light" else "dark"
    short_host, _, short_code = session.short_url.split("://")[-1].rpartition("/")
    short_host += "/"
    return page(
        request,
        template,
        session=session,
        qr=_qr_svg(session.short_url, scalable=True),
        short_link=session.short_url.split("://")[-1],
        short_host=short_host,
        short_code=short_code,
        elsewhere=_elsewhere(state, session_id, links),
        live=full_session(state, held, links) if held.format in LIVE_ON_THE_WALL else None,  # no names shown
        WALL_ROWS=WALL_ROWS,
        theme=theme,
        **_context(state, links, "board"),
    )


class FacilitatorPages(Controller):
    path = WORKSHOP
    tags = ["pages"]
    include_in_schema = False

    @get("/login", opt={"access": Access.PUBLIC})
    async def login(
        self,
        workshop_id: FromPath[str],
        code: FromQuery[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        next: FromQuery[str | None] = None,
    ) -> Redirect:
        """The console link: trades the login code for a token of this device, kept in a cookie."""
        token = new_token("f", workshop_id)
        command = c.SignInFacilitator(
            login_code_hash=keyed_hash(settings.secret_key, "login", code),
            token_hash=token_hash(settings.secret_key, token),
        )
        await run(service, workshop_id, command)
        cookie = sign_in_cookie(settings, FACILITATOR_COOKIE.format(workshop_id), token, 3 * MONTH)
        target = PAGES.report_page(workshop_id) if next == "report" else PAGES.board(workshop_id)
        return Redirect(target, status_code=303, cookies=[cookie], headers=NO_STORE)

    @get("/", opt={"access": Access.FACILITATOR})
    async def board(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """Sessions by time slot and room, with status and counts; live."""
        state = existing(await service.state(workshop_id))
        return page(
            request,
            "web/board.html",
            slots=_slots(state, links, language_of(request)),
            formats=list(FORMATS),
            offset=_offset(state, service.clock.now()),
            **_context(state, links, "board"),
        )

    @get("/board", opt={"access": Access.FACILITATOR})
    async def board_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        state = existing(await service.state(workshop_id))
        return page(
            request,
            "web/_board.html",
            slots=_slots(state, links, language_of(request)),
            **_context(state, links, "board"),
        )

    @get("/s/{session_id:str}", opt={"access": Access.FACILITATOR})
    async def console(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        """The session console: QR code, sign-ups and waitlist live, commitments, notes, cards, offers."""
        return await _console(request, service, links, settings, workshop_id, session_id, "web/console.html")

    @get("/s/{session_id:str}/panel", opt={"access": Access.FACILITATOR})
    async def console_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        """The console's live part, fetched again on every event."""
        return await _console(request, service, links, settings, workshop_id, session_id, "web/_panel.html")

    @get("/s/{session_id:str}/projector", opt={"access": Access.FACILITATOR})
    async def projector(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The session on a projector: QR code and short link to sign up, title, room, time and
        the counts, live; once closed, where else to go."""
        return await _projector(request, service, links, workshop_id, session_id, "web/projector.html")

    @get("/s/{session_id:str}/projector/panel", opt={"access": Access.FACILITATOR})
    async def projector_panel(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The projector's live part, fetched again on every event."""
        return await _projector(request, service, links, workshop_id, session_id, "web/_projector.html")

    @get("/report", opt={"access": Access.FACILITATOR})
    async def report(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """The organiser's report: totals, charts, sessions, organisations, follow-ups, intro talks."""
        done = await service.store.effects(workshop_id)
        state = existing(await service.state(workshop_id))
        report = workshop_report(state, done, service.clock.now())
        # drawing charts takes a while: in a thread, like the API's downloads, not on the event loop
        figures = await anyio.to_thread.run_sync(report_charts, report, language_of(request))
        return page(request, "web/report.html", r=report, charts=figures, **_context(state, links, "report"))

    @get("/intro", opt={"access": Access.FACILITATOR})
    async def intro(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """Newcomers and their talks (the unscheduled ones stand out), and the form for hosts."""
        state = existing(await service.state(workshop_id))
        slots = [slot_out(s) for s in sorted(state.intro_slots.values(), key=lambda s: s.starts_at)]
        return page(
            request,
            "web/intro.html",
            talks=intro_talks(state, service.clock.now()),
            slots=slots,
            **_context(state, links, "intro"),
        )

    @post("/intro", opt={"access": Access.FACILITATOR}, status_code=303)
    async def offer_slot(
        self, request: Request[Any, Any, Any], workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> Redirect:
        form = dict(await request.form())
        state = existing(await service.state(workshop_id))
        try:
            starts_at = datetime.fromisoformat(str(form.get("starts_at"))).replace(tzinfo=ZoneInfo(state.timezone))
            minutes, capacity = int(form.get("minutes") or 30), int(form.get("capacity") or 1)
        except ValueError as exc:
            raise BadInput("starts_at", "please give a date and time") from exc
        if not 5 <= minutes <= 240 or not 1 <= capacity <= 50:
            raise BadInput("minutes", "5 to 240 minutes, 1 to 50 newcomers")
        fields = {
            "host_name": str(form.get("host_name") or "").strip(),
            "host_email": str(form.get("host_email") or ""),
            "starts_at": starts_at,
            "duration": timedelta(minutes=minutes),
            "capacity": capacity,
            "language": "en" if form.get("language") == "en" else "de",
            "place": str(form.get("place") or "").strip() or None,
        }
        try:
            command = offer_command(msgspec.convert(fields, IntroSlotIn))
        except msgspec.ValidationError as exc:
            raise bad_input(exc) from exc
        await run(service, workshop_id, command)
        return Redirect(PAGES.intro_page(workshop_id), status_code=303)

    @post("/s/{session_id:str}/table-code", opt={"access": Access.FACILITATOR}, status_code=303)
    async def table_code(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Redirect:
        """Require the table code (a new one), or stop requiring it; back to the console, whose
        QR code then carries the new code."""
        required = (await request.form()).get("required") == "yes"
        command = c.SetTableCode(session_id=session_id, table_code=new_table_code() if required else None)
        await run(service, workshop_id, command)
        return Redirect(PAGES.session_console(workshop_id, session_id), status_code=303)


@get("/sw.js", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def service_worker_script() -> Response[bytes]:
    """The service worker lives at the root so that it may look after every page."""
    script = await anyio.Path(STATIC / "sw.js").read_bytes()
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
