"""The organiser's home on a laptop: their workshops grouped as running, upcoming and past, a
form for a new one, and a page per workshop to change, copy, close it and hand its console to a
facilitator's tablet (a link and its QR code; renewing it ends every earlier one)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec
import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from markupsafe import Markup

from service.api.auth import NETWORK_SCOPED, Access, Principal
from service.api.problems import BadInput, bad_input
from service.application.inputs import existing
from service.application.networks import NetworkService, coordinated, known_network
from service.application.runner import WorkshopService
from service.application.workshops import (
    change_command,
    copy_of,
    create_command,
    login_code_hash,
    new_secrets,
)
from service.domain import commands as c
from service.domain.links import PAGES, Links
from service.domain.state import WorkshopState
from service.domain.views import shown_status, workshop_listed, workshop_status, workshop_view
from service.i18n import short_when
from service.schemas import Input, WorkshopCopyIn, WorkshopIn, WorkshopPatch
from service.security import new_id, token_hash
from service.settings import Settings
from service.web.commands import run
from service.web.rendering import NO_STORE, language_of, page

InputT = TypeVar("InputT", bound=Input)
Group = Literal["running", "upcoming", "past"]
GROUPS: tuple[Group, ...] = ("running", "upcoming", "past")
ZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Paris",
    "Europe/London",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "UTC",
)
DAY = 86400


class Listed(NamedTuple):
    """A workshop on the home page: what the organiser's list says, and its dates as read there."""

    id: str
    title: str
    status: str
    when: str
    location: str | None
    sessions: int
    signups: int


def group_of(state: WorkshopState, now: datetime) -> Group:
    """Running while a session is open or its day is on; past once closed or over; else upcoming."""
    status = workshop_status(state)
    if status == "running":
        return "running"
    if status == "closed" or (state.ends_at is not None and state.ends_at < now):
        return "past"
    return "running" if state.starts_at is not None and state.starts_at <= now else "upcoming"


async def home_groups(
    service: WorkshopService, language: str, network_id: str | None = None
) -> list[tuple[Group, list[Listed]]]:
    """Every workshop (with `network_id`: of that network) in its group, the latest start first
    within each group."""
    ids = await anyio.to_thread.run_sync(service.store.workshops.ids)
    states = [await service.state(wid) for wid in ids]
    states = [s for s in states if s.exists and network_id in {None, s.network_id}]
    now = service.clock.now()
    far = datetime.min.replace(tzinfo=UTC)
    states.sort(key=lambda state: state.starts_at or far, reverse=True)
    grouped: dict[Group, list[Listed]] = {group: [] for group in GROUPS}
    for state in states:
        listed = workshop_listed(state)
        grouped[group_of(state, now)].append(
            Listed(
                id=state.id,
                title=state.title,
                status=shown_status(state, now),
                when=short_when(state.starts_at, language, state.timezone),
                location=state.location,
                sessions=listed.sessions,
                signups=listed.signups,
            )
        )
    return [(group, grouped[group]) for group in GROUPS]


def _local_input(moment: datetime | None, timezone: str) -> str:
    """A moment as a `datetime-local` field shows it: the workshop's clock, to the minute."""
    return "" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def _days_input(delay: timedelta) -> str:
    """A delay in whole days for the form; one that is not whole days shows empty (and stays)."""
    days, rest = divmod(int(delay.total_seconds()), DAY)
    return "" if rest else str(days)


def form_values(state: WorkshopState) -> dict[str, str]:
    """What the edit form shows: the workshop as it is, in its own time zone."""
    return {
        "title": state.title,
        "starts_at": _local_input(state.starts_at, state.timezone),
        "ends_at": _local_input(state.ends_at, state.timezone),
        "timezone": state.timezone,
        "location": state.location or "",
        "language": state.language,
        "follow_up_days": _days_input(state.follow_up_after),
        "intro_days": _days_input(state.intro_deadline),
        "organiser_email": state.organiser_email or "",
    }


def _zone(form: dict[str, Any]) -> str:
    zone = str(form.get("timezone") or "Europe/Berlin")
    if zone not in ZONES:
        raise BadInput("timezone", "choose a time zone from the list")
    return zone


def _moment(form: dict[str, Any], name: str, zone: str) -> datetime | None:
    typed = str(form.get(name) or "").strip()
    if not typed:
        return None
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=ZoneInfo(zone))
    except ValueError as exc:
        raise BadInput("workshop_times", f"{name}: please give a date and a time") from exc


def _days(form: dict[str, Any], name: str, field: str) -> timedelta | None:
    typed = str(form.get(name) or "").strip()
    if not typed:
        return None
    try:
        days = int(typed)
    except ValueError as exc:
        raise BadInput(field, "a whole number of days") from exc
    if not 1 <= days <= 365:
        raise BadInput(field, "1 to 365 days")
    return timedelta(days=days)


def _converted(fields: dict[str, Any], kind: type[InputT]) -> InputT:
    try:
        return msgspec.convert({k: v for k, v in fields.items() if v is not None}, kind)
    except msgspec.ValidationError as exc:
        raise bad_input(exc) from exc


def _workshop_fields(form: dict[str, Any]) -> dict[str, Any]:
    """The create body's fields from the form (empty ones left out)."""
    zone = _zone(form)
    return {
        "title": str(form.get("title") or "").strip(),
        "starts_at": _moment(form, "starts_at", zone),
        "ends_at": _moment(form, "ends_at", zone),
        "timezone": zone,
        "location": str(form.get("location") or "").strip(),
        "language": "en" if form.get("language") == "en" else "de",
        "follow_up_after": _days(form, "follow_up_days", "follow_up_after"),
        "intro_deadline": _days(form, "intro_days", "intro_deadline"),
        "organiser_email": str(form.get("organiser_email") or "").strip() or None,
    }


def _handover(request: Request[Any, Any, Any], state: WorkshopState, console_url: str, renewed: bool) -> Response[str]:
    """The console link of a workshop and its QR code, for a facilitator's tablet; shown once."""
    qr = Markup(segno.make(console_url, error="m").svg_inline(border=2, omitsize=True))  # noqa: S704 - segno SVG
    response = page(
        request,
        "web/admin_console.html",
        workshop=workshop_view(state, PAGES),
        console_url=console_url,
        qr=qr,
        renewed=renewed,
    )
    response.headers.update(NO_STORE)
    return response


class OrganiserHome(Controller):
    path = "/admin/workshops"
    tags = ["pages"]
    include_in_schema = False

    @post("/", opt={"access": Access.ORGANISER, NETWORK_SCOPED: True}, status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[WorkshopService],
        networks: NamedDependency[NetworkService],
        principal: NamedDependency[Principal | None],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """The "new workshop" form: creates it and lands on its page."""
        form = dict(await request.form())
        fields = _workshop_fields(form)
        if fields["starts_at"] is None or fields["ends_at"] is None:
            raise BadInput("workshop_times", "please give a start and an end")
        fields["location"] = fields["location"] or None
        fields["network_id"] = str(form.get("network_id") or "").strip() or None
        data = coordinated(principal.network_id if principal is not None else None, _converted(fields, WorkshopIn))
        await known_network(networks, data.network_id)
        wid = new_id()
        await run(service, wid, create_command(settings, wid, data, new_secrets(wid)))
        return Redirect(PAGES.admin_workshop(wid, done="created"), status_code=303)

    @get("/{workshop_id:str}", opt={"access": Access.ORGANISER})
    async def workshop(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """One workshop for its organiser: facts, sessions at their local times, and the forms."""
        state = existing(await service.state(workshop_id))
        language = language_of(request)
        sessions = sorted(
            state.sessions.values(), key=lambda s: (s.starts_at or datetime.max.replace(tzinfo=UTC), s.title)
        )
        return page(
            request,
            "web/admin_workshop.html",
            timezone=state.timezone,
            workshop=workshop_view(state, links),
            listed=workshop_listed(state),
            sessions=[(s, short_when(s.starts_at, language, state.timezone)) for s in sessions],
            values=form_values(state),
            zones=ZONES if state.timezone in ZONES else (state.timezone, *ZONES),
            copy_day=_next_year_day(state),
            done=request.query_params.get("done"),
        )

    @post("/{workshop_id:str}/edit", opt={"access": Access.ORGANISER}, status_code=303)
    async def edit(
        self, request: Request[Any, Any, Any], workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> Redirect:
        """The edit form: what differs from the workshop becomes one change (PATCH's command)."""
        fields = _workshop_fields(dict(await request.form()))
        data = _converted(fields, WorkshopPatch)
        await run(service, workshop_id, change_command(workshop_id, data))
        return Redirect(PAGES.admin_workshop(workshop_id, done="saved"), status_code=303)

    @post("/{workshop_id:str}/copy", opt={"access": Access.ORGANISER}, status_code=303)
    async def copy(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """The copy form: a new title and a new start day; the start keeps its time of day."""
        form = dict(await request.form())
        source = existing(await service.state(workshop_id))
        try:
            day = date.fromisoformat(str(form.get("starts_on") or ""))
        except ValueError as exc:
            raise BadInput("starts_on", "please give a date") from exc
        assert source.starts_at is not None
        zone = ZoneInfo(source.timezone)
        clock = source.starts_at.astimezone(zone).time()
        starts_at = datetime.combine(day, time(clock.hour, clock.minute), tzinfo=zone)
        data = _converted({"title": str(form.get("title") or "").strip(), "starts_at": starts_at}, WorkshopCopyIn)
        wid = new_id()
        command = await copy_of(service, settings, source, wid, data, new_secrets(wid))
        await run(service, wid, command)
        return Redirect(PAGES.admin_workshop(wid, done="copied"), status_code=303)

    @post("/{workshop_id:str}/close", opt={"access": Access.ORGANISER}, status_code=303)
    async def close(self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService]) -> Redirect:
        """Closes every open session and the workshop (the page asked first)."""
        await run(service, workshop_id, c.CloseWorkshop())
        return Redirect(PAGES.admin_workshop(workshop_id, done="closed"), status_code=303)

    @post("/{workshop_id:str}/console", opt={"access": Access.ORGANISER})
    async def hand_over(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """ "Hand over the console": one more console link (earlier ones keep working) and its QR code."""
        made = new_secrets(workshop_id)
        await run(service, workshop_id, c.IssueConsoleLink(login_code_hash=login_code_hash(settings, made.code)))
        state = existing(await service.state(workshop_id))
        return _handover(request, state, made.console_url(links, workshop_id), renewed=False)

    @post("/{workshop_id:str}/renew", opt={"access": Access.ORGANISER})
    async def renew(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        links: NamedDependency[Links],
    ) -> Response[str]:
        """ "Renew the link": a new token and console link; every earlier one and every signed-in
        tablet of the workshop stops working (the page warned)."""
        made = new_secrets(workshop_id)
        command = c.RotateFacilitatorToken(
            token_hash=token_hash(settings.secret_key, made.token), login_code_hash=login_code_hash(settings, made.code)
        )
        await run(service, workshop_id, command)
        state = existing(await service.state(workshop_id))
        return _handover(request, state, made.console_url(links, workshop_id), renewed=True)


def _next_year_day(state: WorkshopState) -> str:
    """The copy form's suggestion: the same day a year later."""
    if state.starts_at is None:
        return ""
    local = state.starts_at.astimezone(ZoneInfo(state.timezone)).date()
    try:
        return local.replace(year=local.year + 1).isoformat()
    except ValueError:  # 29 February
        return (local + timedelta(days=365)).isoformat()
