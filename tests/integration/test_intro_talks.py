"""Newcomers get an intro talk before their first working-group meeting, with calendar invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, attachments_of

pytestmark = pytest.mark.usefixtures("worker_process")


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def invitation(message: Any) -> Any:
    calendar = Calendar.from_ical(attachments_of(message)["invite.ics"])
    (event,) = calendar.walk("VEVENT")
    return str(calendar["method"]), event


async def _talks(api: Api, workshop: dict[str, Any]) -> list[dict[str, Any]]:
    response = await api.client.get(f"/api/workshops/{workshop['id']}/intro-talks", headers=workshop["auth"])
    assert response.status_code == 200
    return list(response.json())


async def test_newcomer_and_host_are_invited_and_a_moved_talk_is_updated_and_cancelled(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="AG Nachbarschaft", next_meeting_at=soon(72))
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    await api.signup(workshop, session, name="Nora Neu", email="nora.intro@example.org", newcomer=True, language="en")
    assert (await _talks(api, workshop))[0]["reason"] == "no_slots"

    first = await api.client.post(
        f"{base}/intro-slots",
        headers=auth,
        json={
            "host_name": "Agnes W.",
            "host_email": "agnes.intro@example.org",
            "starts_at": soon(24),
            "duration": "PT45M",
        },
    )
    assert first.status_code == 201 and first.json()["talks"] == 1
    (talk,) = await _talks(api, workshop)
    assert (talk["status"], talk["host_name"], talk["slot_id"]) == ("scheduled", "Agnes W.", first.json()["id"])

    newcomer_mails = mail_sink.wait_for(lambda found: len(found) == 2, to="nora.intro@example.org")  # + confirmation
    invite = next(m for m in newcomer_mails if "intro" in str(m["Subject"]).lower())
    assert invite["Subject"] == "Your intro talk with Agnes W."
    method, event = invitation(invite)
    assert method == "REQUEST" and int(event["sequence"]) == 0
    assert str(event["organizer"]) == "mailto:knoten@localhost"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    uid = str(event["uid"])
    (host_invite,) = mail_sink.wait_for(lambda found: len(found) == 1, to="agnes.intro@example.org")
    assert host_invite["Subject"] == "Einführungsgespräch mit Nora Neu"
    assert str(invitation(host_invite)[1]["uid"]) == uid

    second = await api.client.post(
        f"{base}/intro-slots",
        headers=auth,
        json={"host_name": "Bernd K.", "host_email": "bernd.intro@example.org", "starts_at": soon(30)},
    )
    withdrawn = await api.client.delete(f"{base}/intro-slots/{first.json()['id']}", headers=auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    (moved,) = await _talks(api, workshop)
    assert (moved["host_name"], moved["slot_id"]) == ("Bernd K.", second.json()["id"])

    updates = mail_sink.wait_for(lambda found: len(found) == 3, to="nora.intro@example.org")
    method, event = invitation(updates[-1])
    assert (method, str(event["uid"]), int(event["sequence"])) == ("REQUEST", uid, 1)
    (new_host,) = mail_sink.wait_for(lambda found: len(found) == 1, to="bernd.intro@example.org")
    assert invitation(new_host)[0] == "REQUEST"
    old_host = mail_sink.wait_for(lambda found: len(found) == 2, to="agnes.intro@example.org")
    method, event = invitation(old_host[-1])
    assert (method, str(event["uid"]), int(event["sequence"])) == ("CANCEL", uid, 1)


async def test_newcomers_who_cannot_be_scheduled_are_listed_with_the_reason(api: Api) -> None:
    workshop = await api.workshop()
    urgent = await api.session(workshop, title="Morgen schon", next_meeting_at=soon(2))
    relaxed = await api.session(workshop, title="Später", next_meeting_at=soon(200))
    base = f"/api/workshops/{workshop['id']}"
    await api.signup(workshop, urgent, name="Eilig", newcomer=True)
    for name in ("Erste", "Zweite"):
        await api.signup(workshop, relaxed, name=name, newcomer=True)
    await api.signup(workshop, relaxed, name="Alter Hase", newcomer=False)
    await api.client.post(
        f"{base}/intro-slots",
        headers=workshop["auth"],
        json={"host_name": "Agnes W.", "host_email": "agnes.full@example.org", "starts_at": soon(24), "capacity": 1},
    )
    talks = {t["name"]: t for t in await _talks(api, workshop)}
    assert set(talks) == {"Eilig", "Erste", "Zweite"}
    assert talks["Eilig"]["reason"] == "none_before_deadline"
    assert [t["status"] for t in (talks["Erste"], talks["Zweite"])] == ["scheduled", "unscheduled"]
    assert talks["Zweite"]["reason"] == "all_full"
    report = (await api.client.get(f"{base}/report", headers=workshop["auth"])).json()
    assert sorted(t["status"] for t in report["intro_talks"]) == ["scheduled", "unscheduled", "unscheduled"]


async def test_bad_slots_are_refused(api: Api) -> None:
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    good = {"host_name": "A", "host_email": "a@example.org", "starts_at": soon(5)}
    for body, field in (
        ({**good, "host_email": "nope"}, "host_email"),
        ({**good, "capacity": 0}, "capacity"),
        ({**good, "starts_at": "2026-01-01T10:00:00"}, "starts_at"),
        ({**good, "duration": "PT0S"}, "duration"),
    ):
        response = await api.client.post(f"{base}/intro-slots", headers=workshop["auth"], json=body)
        assert response.status_code == 400 and field in [e["field"] for e in response.json()["errors"]]
    assert (await api.client.delete(f"{base}/intro-slots/nope", headers=workshop["auth"])).status_code == 404
