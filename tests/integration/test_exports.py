"""Exports that cannot be turned against their readers: a CSV that German Excel opens as text,
Markdown in which a name stays a name, charts in which a title stays a title."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, attachments_of

pytestmark = pytest.mark.usefixtures("worker_process")


async def test_the_csv_opens_in_german_excel_with_formulas_as_text_and_local_times(api: Api) -> None:
    workshop = await api.workshop(timezone="America/New_York", language="de")
    session = await api.session(workshop, title='=HYPERLINK("http://evil.example";"Klick")')
    for name, organisation in (("=1+2", "@SUMME(A1)"), ("-3", "+49 30 1234"), ("Anna Beispiel", "AWO; Kreis Süd")):
        await api.signup(workshop, session, name=name, organisation=organisation, newcomer=False)
    path = f"/api/workshops/{workshop['id']}/report"
    response = await api.client.get(f"{path}.csv", headers=workshop["auth"])
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header == [
        "Sitzungs-ID",
        "Runde",
        "Format",
        "Eintragungs-ID",
        "Name",
        "Organisation",
        "Neue·r",
        "Stand",
        "Wartelistenplatz",
        "Eingetragen am (America/New_York)",
        "Anwesend",
    ]
    assert [(row[4], row[5]) for row in rows] == [
        ("'=1+2", "'@SUMME(A1)"),
        ("'-3", "'+49 30 1234"),
        ("Anna Beispiel", "AWO; Kreis Süd"),
    ]
    assert {row[1] for row in rows} == {'\'=HYPERLINK("http://evil.example";"Klick")'}
    assert {(row[2], row[6], row[7]) for row in rows} == {("Thementisch", "nein", "bestätigt")}
    report = (await api.client.get(path, headers=workshop["auth"])).json()
    signed_up = [p["signed_up_at"] for p in report["digests"][0]["participants"]]
    local = ZoneInfo("America/New_York")
    assert [row[9] for row in rows] == [
        datetime.fromisoformat(moment).astimezone(local).strftime("%Y-%m-%d %H:%M:%S") for moment in signed_up
    ]


def _rendered(markdown: str) -> tuple[list[str], str]:
    """The headings a Markdown reader shows, and the whole page as HTML."""
    parser = MarkdownIt("commonmark")
    tokens = parser.parse(markdown)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    return headings, parser.render(markdown)


async def test_names_and_texts_cannot_add_headings_or_links_to_the_markdown(api: Api) -> None:
    workshop = await api.workshop(title="Netzwerktreffen")
    session = await api.session(workshop, title="# Übernommen", room="[Saal](http://evil.example)")
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    await api.signup(
        workshop, session, name="[Klick hier](http://evil.example)", organisation="<b>AWO</b>", newcomer=True
    )
    await api.signup(workshop, session, name="- Mia", organisation="**Fett** | Zelle")
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        json={"owner_name": "![Bild](http://evil.example/x.png)", "text": "Räume\n# Neue Überschrift\n> Zitat"},
        headers=auth,
    )
    await api.client.post(f"{base}/sessions/{session['id']}/notes", json={"text": "1. erstens\n## zwei"}, headers=auth)
    assert (await api.client.post(f"{base}/sessions/{session['id']}/close", headers=auth)).status_code == 200
    digest = (await api.client.get(f"{base}/sessions/{session['id']}/digest.md", headers=auth)).text
    report = (await api.client.get(f"{base}/report.md", headers=auth)).text
    for markdown in (digest, report):
        headings, html = _rendered(markdown)
        assert "<a " not in html and "<img" not in html and "<b>" not in html and "<strong>" not in html
        assert "<blockquote>" not in html and "Neue Überschrift" not in headings and "zwei" not in headings
        assert "[Klick hier](http://evil.example)" in html and "&lt;b&gt;AWO&lt;/b&gt;" in html
    html = _rendered(digest)[1]
    assert "<h1># Übernommen</h1>" in html and "<li>- Mia (**Fett** | Zelle)" in html


async def test_a_title_with_dollar_signs_is_plain_text_in_the_charts_and_the_report_job_succeeds(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(title="Haushalt", organiser_email="orga.dollar@example.org")
    for title in ("$x$", "Kosten $a^$ offen"):
        session = await api.session(workshop, title=title)
        await api.signup(workshop, session, name="Anna Beispiel")
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    html = await api.client.get(f"{base}/report.html", headers=auth)
    assert html.status_code == 200 and "$x$" in html.text and "Kosten $a^$ offen" in html.text
    pdf = await api.client.get(f"{base}/report.pdf", headers=auth)
    assert pdf.status_code == 200
    assert "Kosten $a^$ offen" in "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (await api.client.post(f"{base}/close", headers=auth)).status_code == 200
    mails = mail_sink.wait_for(
        lambda found: any(m["Subject"] == "Bericht: Haushalt" for m in found), to="orga.dollar@example.org"
    )
    report: Any = next(m for m in mails if m["Subject"] == "Bericht: Haushalt")
    assert attachments_of(report)["bericht-haushalt-2026-05-09.pdf"].startswith(b"%PDF")
