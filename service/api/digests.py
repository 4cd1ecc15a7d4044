"""Digests and the workshop report as JSON, HTML, Markdown, PDF and CSV.

The read model is taken from the state on the event loop (a snapshot), and rendered to a
document in a worker thread, so drawing charts never blocks other requests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from types import ModuleType
from typing import Any, Literal
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from service.api.auth import Access
from service.api.problems import BadInput
from service.application.inputs import existing
from service.application.public_digests import public_digest_url, signed
from service.application.runner import WorkshopService
from service.domain.digests import DigestPhoto, SessionDigest, WorkshopReport, session_digest, workshop_report
from service.domain.errors import NotFound
from service.domain.links import Links
from service.domain.lookups import session_of
from service.domain.views import public_session
from service.i18n import LANGUAGES, gettext
from service.reports import render
from service.reports.filenames import disposition, download_name
from service.settings import Settings

Kind = Literal["json", "html", "md", "pdf", "csv"]
MEDIA = {
    "html": "text/html",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "csv": "text/csv",
}
DIGEST = "/api/workshops/{workshop_id:str}/sessions/{session_id:str}/digest"
REPORT = "/api/workshops/{workshop_id:str}/report"
POSTERS = "/api/workshops/{workshop_id:str}/posters.pdf"


def _kind(request: Request[Any, Any, Any]) -> Kind:
    last = request.url.path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1] if "." in last else "json"  # type: ignore[return-value]


def _language(lang: str | None, default: str) -> str:
    if lang is None:
        return default
    if lang not in LANGUAGES:
        raise BadInput("lang", f"must be one of {', '.join(LANGUAGES)}")
    return lang


def _pdf() -> ModuleType:
    """The PDF renderer, imported on the first PDF: fpdf2, fontTools and matplotlib's fonts take
    ~65 MB that an API serving sign-ups need not hold (bench/results.md, memory)."""
    from service.reports import pdf

    return pdf


async def _document(kind: Kind, draw: Callable[[], str | bytes], filename: str) -> Response[Any]:
    """A document drawn in a thread: HTML to look at, the others (Markdown, PDF, CSV) as files."""
    content = await anyio.to_thread.run_sync(draw)
    header = disposition(f"{filename}.{kind}", attachment=kind != "html")
    return Response(content, media_type=MEDIA[kind], headers={"Content-Disposition": header})


def _local_day(moment: datetime | None, timezone: str) -> date | None:
    return moment.astimezone(ZoneInfo(timezone)).date() if moment else None


async def _photos(service: WorkshopService, links: Links, digest: SessionDigest, *, embed: bool) -> list[DigestPhoto]:
    """The digest's photos with their links, and their images where the document embeds them;
    a photo whose image is gone (erased) is left out."""
    shown = []
    for photo in digest.photos:
        url = links.photo(digest.workshop_id, digest.session_id, photo.id)
        data = await service.store.photos.get(digest.workshop_id, photo.id) if embed else None
        if embed and data is None:
            continue
        shown.append(msgspec.structs.replace(photo, url=url, data=data))
    return shown


@get(
    [DIGEST, *(f"{DIGEST}.{kind}" for kind in ("html", "md", "pdf"))],
    opt={"access": Access.FACILITATOR},
    tags=["digests"],
)
async def get_session_digest(
    request: Request[Any, Any, Any],
    workshop_id: FromPath[str],
    session_id: FromPath[str],
    service: NamedDependency[WorkshopService],
    links: NamedDependency[Links],
    lang: FromQuery[str | None] = None,
) -> SessionDigest | Response[Any]:
    """A closed session's digest; 404 while the session is not closed (no digest yet). Its
    photos are linked (JSON, Markdown) or embedded (HTML, PDF)."""
    state = existing(await service.state(workshop_id))
    session = session_of(state, session_id)
    if session.status != "closed":
        raise NotFound("digest", session_id)
    digest = session_digest(state, session, service.clock.now())
    language = _language(lang, state.language)
    kind = _kind(request)
    digest.photos = await _photos(service, links, digest, embed=kind in {"html", "pdf"})
    if kind == "json":
        return digest
    drawers: dict[str, Callable[[], str | bytes]] = {
        "html": lambda: render.digest_html(digest, language),
        "md": lambda: render.digest_markdown(digest, language),
        "pdf": lambda: _pdf().digest_pdf(digest, language),
    }
    day = _local_day(session.starts_at or state.starts_at, state.timezone)
    word = gettext(language, "Documentation")
    return await _document(kind, drawers[kind], download_name(word, session.title, day))


@get(
    [REPORT, *(f"{REPORT}.{kind}" for kind in ("html", "md", "pdf", "csv"))],
    opt={"access": Access.FACILITATOR},
    tags=["digests"],
)
async def get_workshop_report(
    request: Request[Any, Any, Any],
    workshop_id: FromPath[str],
    service: NamedDependency[WorkshopService],
    lang: FromQuery[str | None] = None,
) -> WorkshopReport | Response[Any]:
    """The workshop report, as it stands now (also before the workshop closes)."""
    done = await service.store.effects(workshop_id)
    state = existing(await service.state(workshop_id))
    report = workshop_report(state, done, service.clock.now())
    language = _language(lang, state.language)
    kind = _kind(request)
    if kind == "json":
        return report
    drawers: dict[str, Callable[[], str | bytes]] = {
        "html": lambda: render.report_html(report, language),
        "md": lambda: render.report_markdown(report, language),
        "pdf": lambda: _pdf().report_pdf(report, language),
        "csv": lambda: render.report_csv(report, language),
    }
    day = _local_day(state.starts_at, state.timezone)
    word = gettext(language, "Report")
    return await _document(kind, drawers[kind], download_name(word, state.title, day))


@get(POSTERS, opt={"access": Access.FACILITATOR}, tags=["sessions"])
async def get_posters(
    workshop_id: FromPath[str],
    service: NamedDependency[WorkshopService],
    links: NamedDependency[Links],
    lang: FromQuery[str | None] = None,
) -> Response[Any]:
    """One A4 poster per session that is not cancelled: title, room, time, the QR code of its
    short link and the link in large type, in the workshop's time zone and language."""
    state = existing(await service.state(workshop_id))
    sessions = [public_session(state, s, links) for s in state.sessions.values() if s.status != "cancelled"]
    language = _language(lang, state.language)
    draw = partial(_pdf().posters_pdf, state.title, sessions, language, state.timezone)
    name = download_name(gettext(language, "Posters"), state.title, _local_day(state.starts_at, state.timezone))
    return await _document("pdf", draw, name)


class PublicDigestLink(msgspec.Struct, kw_only=True):
    url: str


@get(DIGEST + "/public-link", opt={"access": Access.FACILITATOR}, tags=["digests"])
async def get_public_digest_link(
    workshop_id: FromPath[str],
    session_id: FromPath[str],
    service: NamedDependency[WorkshopService],
    links: NamedDependency[Links],
    settings: NamedDependency[Settings],
) -> PublicDigestLink:
    """The link to the session's digest without personal data, to share with anyone: the page
    shows it once the session is closed (404 before)."""
    session_of(existing(await service.state(workshop_id)), session_id)
    return PublicDigestLink(url=public_digest_url(links, settings.secret_key, workshop_id, session_id))


@get("/d/{workshop_id:str}/{session_id:str}/{signature:str}", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def public_digest_page(
    workshop_id: FromPath[str],
    session_id: FromPath[str],
    signature: FromPath[str],
    service: NamedDependency[WorkshopService],
    settings: NamedDependency[Settings],
    lang: FromQuery[str | None] = None,
) -> Response[str]:
    """A closed session's digest with no one's name: counts, cards, agenda, decisions, what was
    promised (without who). An unknown link, or a session not closed yet, is 404."""
    state = existing(await service.state(workshop_id))
    session = session_of(state, session_id)
    if not signed(settings.secret_key, workshop_id, session_id, signature) or session.status != "closed":
        raise NotFound("digest", session_id)
    digest = session_digest(state, session, service.clock.now(), named=set())
    html = await anyio.to_thread.run_sync(lambda: render.digest_html(digest, _language(lang, state.language)))
    return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})
