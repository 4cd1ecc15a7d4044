"""Digests and reports in every format the API offers: JSON (the read model itself),
print-ready HTML, Markdown, CSV (one row per sign-up) and PDF."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from service.domain.digests import DigestPhoto, SessionDigest, WorkshopReport
from service.domain.network_report import GiveTake, MeetingLine, NetworkReport
from service.i18n import N_, gettext
from service.reports.labels import label
from service.templating import render


def photo_src(photo: DigestPhoto) -> str:
    """Where a digest's photo is drawn from: embedded (the page stands on its own, also in a
    mail), else the facilitator's link to it."""
    if photo.data:
        return f"data:{photo.content_type};base64,{base64.b64encode(photo.data).decode()}"
    return photo.url


def _context(language: str) -> dict[str, Any]:
    return {"label": partial(label, language), "photo_src": photo_src}


def digest_html(digest: SessionDigest, language: str) -> str:
    return digests_html([digest], language)


def digests_html(digests: list[SessionDigest], language: str) -> str:
    """One page with the digests of several sessions (of one workshop), as mailed together."""
    return render("reports/session_digest.html", language, digests[0].timezone, ds=digests, **_context(language))


def digest_markdown(digest: SessionDigest, language: str) -> str:
    return render("reports/session_digest.md", language, digest.timezone, d=digest, **_context(language))


def report_charts(report: WorkshopReport, language: str) -> dict[str, Markup]:
    """The report's charts as inline SVG (drawn by matplotlib, so safe to embed)."""
    from service.reports import charts  # matplotlib only when a chart is drawn: ~40 MB an idle API needs not hold

    return {
        "signups": Markup(charts.signups_per_session(report, language, "svg").decode()),  # noqa: S704
        "commitments": Markup(charts.commitment_status(report, language, "svg").decode()),  # noqa: S704
    }


def report_html(report: WorkshopReport, language: str) -> str:
    figures = report_charts(report, language)
    return render(
        "reports/workshop_report.html", language, report.timezone, r=report, charts=figures, **_context(language)
    )


def report_markdown(report: WorkshopReport, language: str) -> str:
    return render("reports/workshop_report.md", language, report.timezone, r=report, **_context(language))


CSV_COLUMNS = (
    N_("Session ID"),
    N_("Session"),
    N_("Format"),
    N_("Sign-up ID"),
    N_("Name"),
    N_("Organisation"),
    N_("Newcomer"),
    N_("Status"),
    N_("Waitlist position"),
    N_("Signed up at (%(timezone)s)"),
    N_("Present"),
)
CSV_DELIMITERS = {"de": ";"}  # what the spreadsheet programs of that language expect; else ","
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_csv(report: WorkshopReport, language: str) -> str:
    """One row per sign-up (no e-mail addresses) for German or English Excel and LibreOffice:
    a BOM (UTF-8), the language's delimiter and headers, times in the workshop's time zone."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=CSV_DELIMITERS.get(language, ","), lineterminator="\r\n")
    headers = [gettext(language, column) for column in CSV_COLUMNS]
    headers[CSV_COLUMNS.index("Signed up at (%(timezone)s)")] %= {"timezone": report.timezone}
    writer.writerow(headers)
    zone = ZoneInfo(report.timezone)
    yes, no = gettext(language, "yes"), gettext(language, "no")
    for digest in report.digests:
        for person in digest.participants:
            row = [
                digest.session_id,
                digest.title,
                label(language, digest.format),
                person.signup_id,
                person.name or "",
                person.organisation or "",
                "" if person.newcomer is None else yes if person.newcomer else no,  # empty: nobody said
                label(language, person.status),
                person.waitlist_position,
                person.signed_up_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                yes if person.present else no,
            ]
            writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def network_report_html(report: NetworkReport, language: str, groups: Mapping[str, str]) -> str:
    """The network report as a page, with its charts; `groups`: working group id → title."""
    from service.reports import charts  # as in `report_charts`: matplotlib only when drawn

    figures = {
        "people": Markup(charts.network_participants(report, language, "svg").decode()),  # noqa: S704
        "give_take": Markup(charts.give_and_take(report, language, "svg").decode()),  # noqa: S704
    }
    return render(
        "reports/network_report.html",
        language,
        report.timezone,
        r=report,
        charts=figures,
        groups=dict(groups),
        **_context(language),
    )


NETWORK_CSV_COLUMNS = (
    N_("Section"),
    N_("Workshop ID"),
    N_("Meeting"),
    N_("Date"),
    N_("Year"),
    N_("Working group"),
    N_("Organisation"),
    N_("Member"),
    N_("Number of meetings"),
    N_("People"),
    N_("Came back"),
    N_("Share who came back"),
    N_("Newcomers"),
    N_("Newcomers who came back"),
    N_("Organisations"),
    N_("Member organisations"),
    N_("Other organisations"),
    N_("Commitments made"),
    N_("Commitments done"),
    N_("Commitments overdue"),
    N_("Marktplatz offers"),
    N_("Marktplatz requests"),
    N_("Intro talks held"),
)
"""One wide header over every section: a spreadsheet filters on the first column, and a figure
keeps its column whichever section the row is of (empty where it does not apply)."""

NETWORK_CSV_SECTIONS = (N_("Total"), N_("Year"), N_("Meeting"), N_("Working group"), N_("Organisation"))


class _NetworkRows:
    """The rows of the network report's spreadsheet, a cell per column of NETWORK_CSV_COLUMNS."""

    def __init__(self, report: NetworkReport, language: str, groups: Mapping[str, str]) -> None:
        self.report, self.language, self.groups = report, language, groups
        self.comma = "," if language == "de" else "."
        self.yes, self.no = gettext(language, "yes"), gettext(language, "no")

    def _row(self, section: str, **cells: object) -> list[object]:
        keys = [column.replace(" ", "_").lower() for column in NETWORK_CSV_COLUMNS[1:]]
        unknown = cells.keys() - set(keys)
        assert not unknown, unknown
        return [gettext(self.language, section), *(cells.get(key, "") for key in keys)]

    def _share(self, share: float) -> str:
        return f"{share:.3f}".replace(".", self.comma)

    def _meeting(self, m: MeetingLine) -> dict[str, object]:
        day = m.starts_at.astimezone(ZoneInfo(self.report.timezone)).strftime("%Y-%m-%d") if m.starts_at else ""
        return {"workshop_id": m.workshop_id, "meeting": m.title, "date": day, "year": m.year or ""}

    def _organisation(self, g: GiveTake) -> dict[str, object]:
        return {
            "organisation": g.organisation or gettext(self.language, "(erased)"),
            "member": self.yes if g.member else self.no,
            "marktplatz_offers": g.offers,
            "marktplatz_requests": g.requests,
        }

    def rows(self) -> Iterator[list[object]]:
        t = self.report.totals
        yield self._row(
            "Total",
            number_of_meetings=t.meetings,
            people=t.participants,
            came_back=t.returning,
            organisations=t.organisations,
            member_organisations=t.member_organisations,
            other_organisations=t.organisations - t.member_organisations,
            commitments_made=t.commitments_made,
            commitments_done=t.commitments_done,
            commitments_overdue=t.commitments_overdue,
            marktplatz_offers=sum(g.offers for g in self.report.give_take),
            marktplatz_requests=sum(g.requests for g in self.report.give_take),
            intro_talks_held=t.intro_talks_held,
        )
        for y in self.report.years:
            yield self._row(
                "Year",
                year=y.year,
                number_of_meetings=y.meetings,
                people=y.participants,
                came_back=y.returning,
                share_who_came_back=self._share(y.returning_share),
                newcomers=y.newcomers,
                newcomers_who_came_back=y.newcomers_came_back,
                organisations=y.organisations,
                member_organisations=y.member_organisations,
                other_organisations=y.organisations - y.member_organisations,
                commitments_made=y.commitments.made,
                commitments_done=y.commitments.done,
                commitments_overdue=y.commitments.overdue,
                intro_talks_held=y.intro_talks_held,
            )
        for m in self.report.meetings:
            yield self._row(
                "Meeting",
                **self._meeting(m),
                people=m.participants,
                came_back=m.returning,
                share_who_came_back=self._share(m.returning_share),
                newcomers=m.newcomers,
                newcomers_who_came_back=m.newcomers_came_back,
                organisations=m.organisations,
                member_organisations=m.member_organisations,
                other_organisations=m.other_organisations,
                commitments_made=m.commitments.made,
                commitments_done=m.commitments.done,
                commitments_overdue=m.commitments.overdue,
                marktplatz_offers=sum(g.offers for g in m.give_take),
                marktplatz_requests=sum(g.requests for g in m.give_take),
                intro_talks_held=m.intro_talks_held,
            )
        no_group = gettext(self.language, "no working group")
        for m in self.report.meetings:
            for g in m.by_group:
                yield self._row(
                    "Working group",
                    **self._meeting(m),
                    working_group=self.groups.get(g.group_id, g.group_id) if g.group_id else no_group,
                    commitments_made=g.made,
                    commitments_done=g.done,
                    commitments_overdue=g.overdue,
                )
        for m in self.report.meetings:
            for o in m.give_take:
                yield self._row("Organisation", **self._meeting(m), **self._organisation(o))
        for o in self.report.give_take:  # over all meetings: no meeting named
            yield self._row("Organisation", **self._organisation(o))


def network_report_csv(report: NetworkReport, language: str, groups: Mapping[str, str] | None = None) -> str:
    """The whole network report in one sheet (no names, no addresses), for Excel and LibreOffice
    like `report_csv`: a row for the totals, each year, each meeting, each meeting's working
    groups and Marktplatz organisations, and each organisation over all meetings (no meeting);
    the first column names the section. `groups`: working group id → title."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=CSV_DELIMITERS.get(language, ","), lineterminator="\r\n")
    writer.writerow([gettext(language, column) for column in NETWORK_CSV_COLUMNS])
    for row in _NetworkRows(report, language, groups or {}).rows():
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
