"""The network report as JSON, HTML (with charts), PDF and CSV (organiser).

Read from the network projection (one hash, kept by a worker from the meetings' logs); while
the projection holds nothing for a network that has meetings (lost, not rebuilt yet), from the
meetings' logs themselves, which gives the same report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from service.api.auth import Access
from service.api.digests import _document, _kind, _language, _pdf
from service.application.network_reports import decoded, organisation_token, up_to_date
from service.application.networks import NetworkService, meetings
from service.application.runner import WorkshopService
from service.domain.network_report import NetworkReport, network_report
from service.i18n import gettext
from service.reports import render
from service.reports.filenames import download_name
from service.settings import Settings

NETWORK_REPORT = "/api/networks/{network_id:str}/report"


@get(
    [NETWORK_REPORT, *(f"{NETWORK_REPORT}.{kind}" for kind in ("html", "pdf", "csv"))],
    opt={"access": Access.ORGANISER},
    tags=["networks"],
)
async def get_network_report(
    request: Request[Any, Any, Any],
    network_id: FromPath[str],
    networks: NamedDependency[NetworkService],
    service: NamedDependency[WorkshopService],
    settings: NamedDependency[Settings],
    lang: FromQuery[str | None] = None,
) -> NetworkReport | Response[Any]:
    """Per year and per meeting: people (by keyed e-mail hash), who came back, newcomers who
    came back, organisations (members and others), commitments, Marktplatz give and take per
    organisation, intro talks held."""
    network = await networks.existing(network_id)
    member_names = {m.id: m.organisation for m in network.members.values() if not m.removed}
    records = decoded(await service.store.projections.records_async(network_id))
    held = await meetings(service, network_id)
    summaries = up_to_date(records, held, member_names, organisation_token(settings.secret_key))
    members = list(member_names.values())
    report = network_report(network_id, network.name, members, summaries, service.clock.now())
    language = _language(lang, "de")
    kind = _kind(request)
    if kind == "json":
        return report
    groups = {g.id: g.title for g in [*network.ended_groups.values(), *network.groups.values()]}
    drawers: dict[str, Callable[[], str | bytes]] = {
        "html": lambda: render.network_report_html(report, language, groups),
        "pdf": lambda: _pdf().network_report_pdf(report, language, groups),
        "csv": lambda: render.network_report_csv(report, language, groups),
    }
    word = gettext(language, "Network report")
    return await _document(kind, drawers[kind], download_name(word, network.name, None))
