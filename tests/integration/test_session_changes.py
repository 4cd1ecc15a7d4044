"""Sessions changed after planning, through the API with a real worker and SMTP sink: a raised
capacity confirms the waitlist in order, a new time or room is mailed with the updated calendar
entry, a cancellation is mailed with the calendar cancellation and takes no more sign-ups."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from icalendar import Calendar
from pypdf import PdfReader

from tests.integration.conftest import Api, log_length
from tests.mail_sink import MailSink, attachments_of, text_of

pytestmark = pytest.mark.usefixtures("worker_process")


def recorded(redis_client: redis.Redis, workshop_id: str, event_type: str) -> int:
    """How many events of a type the workshop's log holds (workers add personal links to it)."""
    marker = f'"type":"{event_type}"'.encode()
    entries = redis_client.xrange(f"knoten:{{{workshop_id}}}:log")
    return sum(1 for _, fields in entries if any(marker in value for value in fields.values()))


def poster_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def calendar_event(mail: Any) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(attachments_of(mail)["session.ics"])
    (event,) = calendar.walk("VEVENT")
    return calendar, event


async def _signed_up(api: Api, workshop: dict[str, Any], session: dict[str, Any], *emails: str) -> list[str]:
    ids = []
    for email in emails:
        response = await api.signup(workshop, session, name=email.split("@")[0].title(), email=email)
        assert response.status_code == 201, response.text
        ids.append(response.json()["signup_id"])
    return ids


async def _marker(api: Api, workshop: dict[str, Any], mail_sink: MailSink, email: str) -> None:
    """A sign-up whose confirmation is queued after everything before it: once it arrived, the
    worker has done every earlier job."""
    other = await api.session(workshop, title="Marker")
    await _signed_up(api, workshop, other, email)
    mail_sink.wait_for(lambda found: len(found) == 1, to=email)


async def test_a_raised_capacity_confirms_the_waitlist_in_order_and_a_lowered_one_keeps_everyone(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Repair-Café", capacity=1)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    emails = [f"{n}.cap@example.org" for n in ("ada", "bo", "cem", "dana")]
    await _signed_up(api, workshop, session, *emails)
    for email in emails:
        mail_sink.wait_for(lambda found: len(found) == 1, to=email)

    raised = await api.client.patch(path, json={"capacity": 3}, headers=workshop["auth"])
    assert raised.status_code == 200, raised.text
    body = raised.json()
    assert (body["capacity"], body["confirmed"], body["waitlisted"], body["status"]) == (3, 3, 1, "planned")
    assert body["dot_budget"] == 5 and "signups" not in body  # the session as listed, no one's name
    for email in emails[1:3]:
        promoted = mail_sink.wait_for(lambda found: len(found) == 2, to=email)[1]
        assert promoted["Subject"] == "Ein Platz ist frei geworden: Sie sind bei Repair-Café dabei"

    lowered = await api.client.patch(path, json={"capacity": 1}, headers=workshop["auth"])
    assert (lowered.json()["capacity"], lowered.json()["confirmed"], lowered.json()["seats_left"]) == (1, 3, 0)
    full = (await api.client.get(path, headers=workshop["auth"])).json()
    assert [s["email"] for s in full["signups"] if s["status"] == "confirmed"] == emails[:3]
    # someone leaves: still over the capacity, so nobody moves up
    first = full["signups"][0]["signup_id"]
    await api.client.delete(f"/api/workshops/{workshop['id']}/signups/{first}", headers=workshop["auth"])
    after = (await api.client.get(path, headers=workshop["auth"])).json()
    assert (after["confirmed"], after["waitlisted"]) == (2, 1)
    await _marker(api, workshop, mail_sink, "marker.cap@example.org")
    assert len(mail_sink.messages("dana.cap@example.org")) == 1  # only her waitlist confirmation


async def test_a_new_time_is_mailed_once_to_everyone_with_the_updated_calendar_entry(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop(location="Rathaus")
    session = await api.session(
        workshop,
        title="Quartiersrat",
        capacity=1,
        room="Saal 1",
        starts_at="2026-05-09T14:00:00+02:00",
        ends_at="2026-05-09T15:00:00+02:00",
    )
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    confirmed, waiting = "eva.move@example.org", "finn.move@example.org"
    await _signed_up(api, workshop, session, confirmed, waiting)
    (signed_up,) = mail_sink.wait_for(lambda found: len(found) == 1, to=confirmed)
    _, before = calendar_event(signed_up)

    title_only = await api.client.patch(path, json={"title": "Quartiersrat Süd"}, headers=workshop["auth"])
    assert title_only.status_code == 200 and title_only.json()["title"] == "Quartiersrat Süd"
    key = {"Idempotency-Key": "move-1", **workshop["auth"]}
    change = {"starts_at": "2026-05-09T16:00:00+02:00", "ends_at": "2026-05-09T17:30:00+02:00", "room": "Saal 3"}
    moved = await api.client.patch(path, json=change, headers=key)
    assert moved.status_code == 200 and moved.json()["room"] == "Saal 3"
    again = await api.client.patch(path, json=change, headers=key)
    assert (again.status_code, again.content) == (200, moved.content)
    assert recorded(redis_client, workshop["id"], "session_changed") == 2  # the title, the move

    for email in (confirmed, waiting):
        mail = mail_sink.wait_for(lambda found: len(found) == 2, to=email)[1]
        assert mail["Subject"] == "Neue Zeit oder neuer Ort: Quartiersrat Süd"
        text = text_of(mail)
        assert "16:00" in text and "Saal 3, Rathaus" in text
        assert ("Sie stehen weiter auf der Warteliste." in text) is (email == waiting)
        _, event = calendar_event(mail)
        assert str(event["uid"]) == str(before["uid"])
        assert int(event["sequence"]) > int(before.get("sequence", 0))
        assert event.decoded("dtstart") == datetime.fromisoformat("2026-05-09T16:00:00+02:00")
        assert str(event["location"]) == "Saal 3, Rathaus"
    await _marker(api, workshop, mail_sink, "marker.move@example.org")
    assert len(mail_sink.messages(confirmed)) == 2 and len(mail_sink.messages(waiting)) == 2


async def test_a_cancelled_session_mails_everyone_a_calendar_cancellation_once_and_takes_no_sign_ups(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(
        workshop, title="Stadtgarten", capacity=1, starts_at="2026-05-09T11:00:00+02:00", room="Hof"
    )
    other = await api.session(workshop, title="Lastenrad", starts_at="2026-05-09T13:00:00+02:00")
    base = f"/api/workshops/{workshop['id']}"
    path = f"{base}/sessions/{session['id']}"
    emails = ("gül.cancel@example.org", "hans.cancel@example.org")
    await _signed_up(api, workshop, session, *emails)
    (signed_up,) = mail_sink.wait_for(lambda found: len(found) == 1, to=emails[0])
    _, before = calendar_event(signed_up)

    key = {"Idempotency-Key": "cancel-1", **workshop["auth"]}
    cancelled = await api.client.post(f"{path}/cancel", headers=key)
    assert (cancelled.status_code, cancelled.json()) == (200, {"status": "cancelled"})
    retried = await api.client.post(f"{path}/cancel", headers=key)
    again = await api.client.post(f"{path}/cancel", headers=workshop["auth"])
    assert (retried.status_code, retried.json(), again.status_code, again.json()) == (
        200,
        {"status": "cancelled"},
        200,
        {"status": "cancelled"},
    )
    assert recorded(redis_client, workshop["id"], "session_cancelled") == 1

    for email in emails:
        mail = mail_sink.wait_for(lambda found: len(found) == 2, to=email)[1]
        assert mail["Subject"] == "Abgesagt: Stadtgarten"
        assert f"/s/{workshop['id']}/{session['id']}" in text_of(mail)  # where else one can go
        calendar, event = calendar_event(mail)
        assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == str(before["uid"]) and int(event["sequence"]) > int(before.get("sequence", 0))
        token = text_of(mail).split("/me?token=", 1)[1].split()[0]
        mine = (await api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})).json()
        assert [s["session_status"] for s in mine["signups"]] == ["cancelled"]

    late = await api.signup(workshop, session, name="Ida", email="ida.cancel@example.org")
    assert late.status_code == 409 and late.headers["content-type"].startswith("application/problem+json")
    assert (await api.client.get(path)).json()["status"] == "cancelled"
    listed = (await api.client.get(base, headers=workshop["auth"])).json()["sessions"]
    assert {s["id"]: s["status"] for s in listed} == {session["id"]: "cancelled", other["id"]: "planned"}
    changed = await api.client.patch(path, json={"title": "Doch"}, headers=workshop["auth"])
    assert changed.status_code == 409
    page = await api.client.get(f"/s/{workshop['id']}/{session['id']}")
    assert "Diese Runde wurde abgesagt." in page.text and "Lastenrad" in page.text
    posters = await api.client.get(f"{base}/posters.pdf", headers=workshop["auth"])
    assert [("Lastenrad" in page, "Stadtgarten" in page) for page in poster_pages(posters.content)] == [(True, False)]
    report = (await api.client.get(f"{base}/report.html", headers=workshop["auth"])).text
    assert "Stadtgarten" in report and "abgesagt" in report
    await _marker(api, workshop, mail_sink, "marker.cancel@example.org")
    assert [len(mail_sink.messages(email)) for email in emails] == [2, 2]


async def test_a_closed_session_shows_latecomers_the_sessions_that_still_take_sign_ups(api: Api) -> None:
    workshop = await api.workshop()
    closed = await api.session(workshop, title="Frühstück")
    full = await api.session(workshop, title="Kiezspaziergang", capacity=1, room="Treffpunkt Brunnen")
    free = await api.session(workshop, title="Tauschbörse", capacity=5, starts_at="2026-05-09T16:00:00+02:00")
    gone = await api.session(workshop, title="Fällt aus")
    await api.signup(workshop, full, name="Pia")
    base = f"/api/workshops/{workshop['id']}/sessions"
    await api.client.post(f"{base}/{closed['id']}/close", headers=workshop["auth"])
    await api.client.post(f"{base}/{gone['id']}/cancel", headers=workshop["auth"])
    page = (await api.client.get(f"/s/{workshop['id']}/{closed['id']}")).text
    assert "Diese Runde ist abgeschlossen." in page and "Wo Sie sich noch eintragen können" in page
    assert page.index("Tauschbörse") < page.index("Kiezspaziergang")  # by time; no time last
    assert "Noch 5 Plätze frei" in page and "16:00" in page and "Treffpunkt Brunnen" in page
    assert free["signup_url"] in page and full["signup_url"] in page and "Fällt aus" not in page
    assert 'name="consent"' not in page  # no form to a session that takes no sign-ups
    open_page = (await api.client.get(f"/s/{workshop['id']}/{free['id']}")).text
    assert "Wo Sie sich noch eintragen können" not in open_page and 'name="consent"' in open_page


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"colour": "rot"},
        {"capacity": 0},
        {"dot_budget": 0},
        {"dot_budget": 51},
        {"title": ""},
        {"title": None},
        {"ends_at": "2026-05-09T09:00:00+02:00"},
        {"starts_at": "2026-05-09T14:00:00"},
        {"room": "Saal\n2"},
    ],
)
async def test_a_bad_change_is_a_400_and_changes_nothing(
    api: Api, redis_client: redis.Redis, body: dict[str, Any]
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, starts_at="2026-05-09T10:00:00+02:00")
    length = log_length(redis_client, workshop["id"])
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    response = await api.client.patch(path, json=body, headers=workshop["auth"])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert log_length(redis_client, workshop["id"]) == length


async def test_changes_and_cancellations_need_the_facilitator_and_dot_budget_is_planned(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, format="zukunftswerkstatt", dot_budget=8)
    assert session["dot_budget"] == 8
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    assert (await api.client.patch(path, json={"title": "X"})).status_code == 401
    assert (await api.client.post(f"{path}/cancel")).status_code == 401
    changed = await api.client.patch(path, json={"dot_budget": 3, "room": "Aula"}, headers=workshop["auth"])
    assert (changed.json()["dot_budget"], changed.json()["room"]) == (3, "Aula")
    emptied = await api.client.patch(path, json={"room": None}, headers=workshop["auth"])
    assert emptied.json()["room"] is None


async def test_a_newcomer_whose_only_session_is_cancelled_hears_that_the_intro_talk_is_off_too(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Tafel", starts_at="2026-05-09T11:00:00+02:00")
    base = f"/api/workshops/{workshop['id']}"
    starts = (datetime.now(UTC) + timedelta(hours=30)).replace(microsecond=0).isoformat()
    slot = {"host_name": "Ines Host", "host_email": "ines.cancelhost@example.org", "starts_at": starts}
    assert (await api.client.post(f"{base}/intro-slots", json=slot, headers=workshop["auth"])).status_code == 201
    newcomer = "jan.cancelnew@example.org"
    await api.signup(workshop, session, name="Jan Neu", email=newcomer, newcomer=True)
    mail_sink.wait_for(lambda found: len(found) == 2, to=newcomer)  # confirmation and invitation
    mail_sink.wait_for(lambda found: len(found) == 1, to="ines.cancelhost@example.org")

    await api.client.post(f"{base}/sessions/{session['id']}/cancel", headers=workshop["auth"])
    mails = mail_sink.wait_for(lambda found: len(found) == 4, to=newcomer)
    subjects = sorted(str(m["Subject"]) for m in mails[2:])
    assert subjects[0].startswith("Abgesagt: Einführungsgespräch am") and subjects[1] == "Abgesagt: Tafel"
    talk_off = next(m for m in mails[2:] if "Einführungsgespräch" in str(m["Subject"]))
    assert "findet nicht statt" in text_of(talk_off) and "neue Zeit" not in text_of(talk_off)
    host = mail_sink.wait_for(lambda found: len(found) == 2, to="ines.cancelhost@example.org")[1]
    assert str(host["Subject"]).startswith("Abgesagt: Einführungsgespräch")
    assert (await api.client.get(f"{base}/intro-talks", headers=workshop["auth"])).json() == []
