"""Digests and the report in every format; the organisers get them by mail; no e-mail addresses."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, attachments_of, html_of, text_of

pytestmark = pytest.mark.usefixtures("worker_process")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def _workshop_with_a_session(api: Api, organiser: str) -> tuple[dict[str, Any], dict[str, Any]]:
    workshop = await api.workshop(title="Netzwerktreffen Süd", organiser_email=organiser, digest_wait="PT1S")
    session = await api.session(
        workshop,
        title="Zukunftswerkstatt Quartier",
        format="zukunftswerkstatt",
        host="Agnes W.",
        room="Saal 2",
        capacity=2,
    )
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    people = []
    for name, org in (("Anna Beispiel", "AWO"), ("Şebnem Yılmaz", "Nachbarschaftsverein"), ("Jonas Muster", "AWO")):
        people.append(
            (
                await api.signup(
                    workshop,
                    session,
                    name=name,
                    email=f"{name.split()[0].lower()}.{organiser.split('@', maxsplit=1)[0]}@example.net",
                    organisation=org,
                    newcomer=True,
                )
            ).json()
        )
    for text in ("Zu wenig Räume", "Keiner kennt uns"):
        await api.client.post(f"{base}/sessions/{session['id']}/cards", json={"text": text}, headers=auth)
    await api.client.post(f"{base}/sessions/{session['id']}/phase", json={"phase": "phantasie"}, headers=auth)
    card = (
        await api.client.post(
            f"{base}/sessions/{session['id']}/cards", json={"text": "Ein Haus für alle"}, headers=auth
        )
    ).json()
    await api.client.post(f"{base}/cards/{card['id']}/votes", json={"count": 4}, headers=auth)
    await api.client.post(f"{base}/sessions/{session['id']}/phase", json={"phase": "verwirklichung"}, headers=auth)
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=auth,
        json={"signup_id": people[0]["signup_id"], "text": "Raumliste anlegen", "due": "2027-01-15"},
    )
    await api.client.post(
        f"{base}/sessions/{session['id']}/notes", json={"text": "Nächstes Treffen im Januar"}, headers=auth
    )
    return workshop, session


async def test_a_closed_session_has_a_digest_in_every_format_and_the_organisers_get_it(
    api: Api, mail_sink: MailSink
) -> None:
    workshop, session = await _workshop_with_a_session(api, "orga.digest@example.org")
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/digest"
    auth = workshop["auth"]
    assert (await api.client.get(path, headers=auth)).status_code == 404  # not closed: no digest yet
    await api.client.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close", headers=auth)

    digest = (await api.client.get(path, headers=auth)).json()
    assert (digest["title"], digest["format"], digest["host"], digest["room"]) == (
        "Zukunftswerkstatt Quartier",
        "zukunftswerkstatt",
        "Agnes W.",
        "Saal 2",
    )
    assert (digest["confirmed"], digest["waitlisted"], digest["newcomers"]) == (2, 1, 3)
    assert [c["text"] for c in digest["cards"]["kritik"]] == ["Zu wenig Räume", "Keiner kennt uns"]
    assert digest["cards"]["phantasie"] == [{"text": "Ein Haus für alle", "votes": 4}]
    assert digest["commitments"][0] | {"id": None} == {
        "id": None,
        "owner_name": "Anna Beispiel",
        "text": "Raumliste anlegen",
        "due": "2027-01-15",
        "status": "open",
    }
    assert digest["notes"] == [{"text": "Nächstes Treffen im Januar", "phase": "verwirklichung"}]

    html = await api.client.get(f"{path}.html", headers=auth)
    assert html.headers["content-type"].startswith("text/html")
    assert "Zukunftswerkstatt Quartier" in html.text and "Ein Haus für alle" in html.text and "Phantasie" in html.text
    markdown = await api.client.get(f"{path}.md", headers=auth)
    assert markdown.text.startswith("# Zukunftswerkstatt Quartier")
    assert "| Anna Beispiel | Raumliste anlegen | 15.01.2027 | offen |" in markdown.text
    english = await api.client.get(f"{path}.md?lang=en", headers=auth)
    assert "| Anna Beispiel | Raumliste anlegen | Jan 15, 2027 | open |" in english.text
    document = await api.client.get(f"{path}.pdf", headers=auth)
    assert document.headers["content-type"] == "application/pdf"
    text = pdf_text(document.content)
    assert "Zukunftswerkstatt Quartier" in text and "Şebnem Yılmaz" in text
    for body in (html.text, markdown.text, text, str(digest)):
        assert "@example.net" not in body and "@example.org" not in body

    # a change after the close shows in the digest at once
    done = await api.client.post(
        f"/api/workshops/{workshop['id']}/commitments/{digest['commitments'][0]['id']}/done", headers=auth
    )
    assert done.status_code == 200
    assert (await api.client.get(path, headers=auth)).json()["commitments"][0]["status"] == "done"

    (mail,) = mail_sink.wait_for(lambda found: len(found) == 1, to="orga.digest@example.org")
    assert mail["Subject"] == "Dokumentation: Zukunftswerkstatt Quartier"
    assert "Raumliste anlegen" in text_of(mail) and "Raumliste anlegen" in html_of(mail)
    assert "Zukunftswerkstatt Quartier" in pdf_text(
        attachments_of(mail)["dokumentation-zukunftswerkstatt-quartier-2026-05-09.pdf"]
    )


async def test_the_report_counts_people_organisations_and_has_one_csv_row_per_signup(
    api: Api, mail_sink: MailSink
) -> None:
    workshop, _ = await _workshop_with_a_session(api, "orga.report@example.org")
    auth = workshop["auth"]
    path = f"/api/workshops/{workshop['id']}/report"
    before = (await api.client.get(path, headers=auth)).json()  # on demand, before the close
    assert before["status"] == "planned"
    closed = await api.client.post(f"/api/workshops/{workshop['id']}/close", headers=auth)
    assert closed.status_code == 200
    report = (await api.client.get(path, headers=auth)).json()
    totals = report["totals"]
    assert (totals["participants"], totals["signups"], totals["newcomers"], totals["commitments"]) == (3, 3, 3, 1)
    assert report["organisations"] == [{"name": "AWO", "people": 2}, {"name": "Nachbarschaftsverein", "people": 1}]
    assert report["sessions"][0]["confirmed"] == 2 and report["sessions"][0]["waitlisted"] == 1
    exported = (await api.client.get(f"{path}.csv", headers=auth)).text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported), delimiter=";"))
    assert [row["Name"] for row in rows] == ["Anna Beispiel", "Şebnem Yılmaz", "Jonas Muster"]
    assert [row["Stand"] for row in rows] == ["bestätigt", "bestätigt", "Warteliste"]
    assert not any("mail" in column.lower() for column in rows[0])
    html = (await api.client.get(f"{path}.html", headers=auth)).text
    assert "<svg" in html and "Vertretene Organisationen" in html
    text = pdf_text((await api.client.get(f"{path}.pdf", headers=auth)).content)
    assert "Netzwerktreffen Süd" in text and "Nachbarschaftsverein" in text
    assert "# Netzwerktreffen Süd" in (await api.client.get(f"{path}.md", headers=auth)).text
    # the session closed with the workshop: its digest comes with the report, in one mail
    (mail,) = mail_sink.wait_for(lambda found: len(found) == 1, to="orga.report@example.org")
    assert mail["Subject"] == "Bericht: Netzwerktreffen Süd"
    assert set(attachments_of(mail)) == {
        "bericht-netzwerktreffen-sued-2026-05-09.pdf",
        "dokumentation-zukunftswerkstatt-quartier-2026-05-09.pdf",
    }


async def test_unknown_format_language_or_session_are_client_errors(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    auth = workshop["auth"]
    base = f"/api/workshops/{workshop['id']}"
    assert (await api.client.get(f"{base}/report.docx", headers=auth)).status_code == 404
    assert (await api.client.get(f"{base}/report?lang=fr", headers=auth)).status_code == 400
    assert (await api.client.get(f"{base}/sessions/nope/digest", headers=auth)).status_code == 404
    assert (await api.client.get(f"{base}/sessions/{session['id']}/digest.csv", headers=auth)).status_code == 404
    assert (await api.client.get(f"{base}/report")).status_code == 401


async def test_the_report_lists_sessions_in_time_order_and_downloads_are_files_with_telling_names(api: Api) -> None:
    workshop = await api.workshop(title="Netzwerktreffen Süd")
    for title, starts_at in (("Abschluss", "16:00"), ("Auftakt", "10:00"), ("Mittag", "13:00")):
        await api.session(workshop, title=title, starts_at=f"2026-05-09T{starts_at}:00+02:00")
    path = f"/api/workshops/{workshop['id']}/report"
    auth = workshop["auth"]
    report = (await api.client.get(path, headers=auth)).json()
    assert [s["title"] for s in report["sessions"]] == ["Auftakt", "Mittag", "Abschluss"]
    markdown = await api.client.get(f"{path}.md", headers=auth)
    assert markdown.text.index("Auftakt") < markdown.text.index("Mittag") < markdown.text.index("Abschluss")

    def disposition(response: Any) -> str:
        return str(response.headers["content-disposition"])

    assert disposition(markdown) == 'attachment; filename="bericht-netzwerktreffen-sued-2026-05-09.md"'
    english = await api.client.get(f"{path}.md?lang=en", headers=auth)
    assert disposition(english) == 'attachment; filename="report-netzwerktreffen-sued-2026-05-09.md"'
    for kind in ("csv", "pdf"):
        document = await api.client.get(f"{path}.{kind}", headers=auth)
        assert disposition(document) == f'attachment; filename="bericht-netzwerktreffen-sued-2026-05-09.{kind}"'
    assert disposition(await api.client.get(f"{path}.html", headers=auth)).startswith("inline;")
    session = report["sessions"][0]
    await api.client.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close", headers=auth)
    digest = await api.client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/digest.md", headers=auth)
    assert disposition(digest) == 'attachment; filename="dokumentation-auftakt-2026-05-09.md"'
