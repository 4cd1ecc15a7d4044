"""Calendar entries and intro mails that real clients accept: a title and a place in every entry,
one ORGANIZER (the sender address) that stays when a talk moves, replies that reach the host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, attachments_of, html_of, text_of

pytestmark = pytest.mark.usefixtures("worker_process")

SENDER = "mailto:knoten@localhost"  # KNOTEN_MAIL_FROM's default


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def entries(document: bytes) -> tuple[str, list[Any]]:
    calendar = Calendar.from_ical(document)
    return str(calendar.get("method", "")), list(calendar.walk("VEVENT"))


def invite_of(mails: list[EmailMessage], subject_part: str) -> tuple[EmailMessage, str, Any]:
    mail = next(m for m in reversed(mails) if subject_part in str(m["Subject"]))
    method, (event,) = entries(attachments_of(mail)["invite.ics"])
    return mail, method, event


async def _slot(api: Api, workshop: dict[str, Any], host: str, email: str, hours: float, place: str) -> dict[str, Any]:
    body = {"host_name": host, "host_email": email, "starts_at": soon(hours)}
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/intro-slots", headers=workshop["auth"], json={**body, "place": place}
    )
    assert response.status_code == 201, response.text
    assert response.json()["place"] == place
    return dict(response.json())


async def test_intro_mails_name_the_place_and_a_newcomer_s_reply_reaches_the_host(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(title="Netzwerktreffen Nord")
    session = await api.session(workshop, title="AG Wohnen", next_meeting_at=soon(72))
    await api.signup(workshop, session, name="Nora Neu", email="nora.cal@example.org", newcomer=True, language="en")
    await _slot(api, workshop, "Agnes W.", "agnes.cal@example.org", 24, "Stadtteilbüro, Raum 3")

    mails = mail_sink.wait_for(
        lambda found: any("intro" in str(m["Subject"]) for m in found), to="nora.cal@example.org"
    )
    mail, method, event = invite_of(mails, "intro")
    assert mail["Reply-To"] == "agnes.cal@example.org"
    assert "Place: Stadtteilbüro, Raum 3" in text_of(mail) and "Place: Stadtteilbüro, Raum 3" in html_of(mail)
    assert (method, str(event["location"]), str(event["summary"])) == (
        "REQUEST",
        "Stadtteilbüro, Raum 3",
        "Intro talk with Agnes W.",
    )
    (host_mail,) = mail_sink.wait_for(lambda found: len(found) == 1, to="agnes.cal@example.org")
    assert host_mail["Reply-To"] is None and "Ort: Stadtteilbüro, Raum 3" in text_of(host_mail)
    assert str(invite_of([host_mail], "Nora")[2]["location"]) == "Stadtteilbüro, Raum 3"


async def test_every_calendar_entry_has_the_sender_as_organizer_also_when_a_talk_moves(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(title="Netzwerktreffen Ost", location="Rathaus")
    session = await api.session(
        workshop, title="AG Verkehr", room="Saal 2", starts_at=soon(48), next_meeting_at=soon(72)
    )
    signup = (await api.signup(workshop, session, name="Olga Neu", email="olga.cal@example.org", newcomer=True)).json()
    first = await _slot(api, workshop, "Agnes W.", "agnes.moved@example.org", 24, "Raum 3")
    mail_sink.wait_for(lambda found: len(found) == 2, to="olga.cal@example.org")  # confirmation + invitation
    mail_sink.wait_for(lambda found: len(found) == 1, to="agnes.moved@example.org")
    await _slot(api, workshop, "Bernd K.", "bernd.moved@example.org", 30, "https://video.example.org/bernd")
    base = f"/api/workshops/{workshop['id']}"
    assert (await api.client.delete(f"{base}/intro-slots/{first['id']}", headers=workshop["auth"])).status_code == 200

    olga = mail_sink.wait_for(lambda found: len(found) == 3, to="olga.cal@example.org")  # confirmation + 2 invites
    agnes = mail_sink.wait_for(lambda found: len(found) == 2, to="agnes.moved@example.org")  # invite + cancel
    bernd = mail_sink.wait_for(lambda found: len(found) == 1, to="bernd.moved@example.org")
    documents = [attachments_of(olga[0])["session.ics"]]
    documents += [attachments_of(m)["invite.ics"] for m in (*olga[1:], *agnes, *bernd)]
    token = {"Authorization": f"Bearer {signup['participant_token']}"}
    _, workshop_id, participant_id, _ = signup["participant_token"].split(".")
    documents.append((await api.client.get(f"/me/{workshop_id}/{participant_id}/intro.ics", headers=token)).content)
    documents.append((await api.client.get(f"{base}/intro-talks.ics", headers=workshop["auth"])).content)
    events = [event for document in documents for event in entries(document)[1]]
    assert len(events) == 8
    assert all(str(event["organizer"]) == SENDER and str(event["summary"]) for event in events)
    assert all(str(event["location"]) for event in events)
    talks = [event for event in events if str(event["uid"]).startswith("intro-")]
    assert len({str(event["uid"]) for event in talks}) == 1
    moved = [e for e in talks if int(e.get("sequence", 1)) == 1 and str(e.get("status")) != "CANCELLED"]
    assert {str(event["location"]) for event in moved} == {"https://video.example.org/bernd"}
