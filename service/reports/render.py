"""Digests and reports in every format the API offers: JSON (the read model itself),
print-ready HTML, Markdown, CSV (one row per sign-up) and PDF."""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Any

from markupsafe import Markup

from service.domain.digests import SessionDigest, WorkshopReport
from service.reports.labels import label
from service.templating import render


def _context(language: str) -> dict[str, Any]:
    return {"label": partial(label, language)}


def digest_html(digest: SessionDigest, language: str) -> str:
    return render("reports/session_digest.html", language, digest.timezone, d=digest, **_context(language))


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
    "session_id",
    "session",
    "format",
    "signup_id",
    "name",
    "organisation",
    "newcomer",
    "status",
    "waitlist_position",
    "signed_up_at",
)


def report_csv(report: WorkshopReport) -> str:
    """One row per sign-up (no e-mail addresses), with a BOM so spreadsheet programs read UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for digest in report.digests:
        for person in digest.participants:
            writer.writerow(
                [
                    digest.session_id,
                    digest.title,
                    digest.format,
                    person.signup_id,
                    person.name or "",
                    person.organisation or "",
                    "yes" if person.newcomer else "no",
                    person.status,
                    person.waitlist_position or "",
                    person.signed_up_at.isoformat(),
                ]
            )
    return out.getvalue()
