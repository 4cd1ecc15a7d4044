"""Who came: a sign-up while the session is open counts as present, the facilitator marks the
others, a walk-in is present, and at the start the places of people not there go to the
waitlist (the promoted people get their mail). Reports count who came beside who signed up."""

from __future__ import annotations

import csv
import io
import secrets
from typing import Any

import pytest
import redis

from tests.integration.conftest import Api, log_length
from tests.mail_sink import MailSink, text_of

pytestmark = pytest.mark.usefixtures("worker_process")


async def _signup(api: Api, workshop: dict[str, Any], session: dict[str, Any], name: str, **fields: Any) -> str:
    response = await api.signup(workshop, session, name=name, **fields)
    assert response.status_code == 201, response.text
    signup_id: str = response.json()["signup_id"]
    return signup_id


async def _people(api: Api, workshop: dict[str, Any], session: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = await api.client.get(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}", headers=workshop["auth"]
    )
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()["signups"]}


async def test_attendance_is_marked_once_and_a_signup_while_open_counts_as_present(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=5)
    base = f"/api/workshops/{workshop['id']}"
    early = await _signup(api, workshop, session, "Early Bird", email="early.attend@example.org")
    await api.client.post(f"{base}/sessions/{session['id']}/open", headers=workshop["auth"])
    await _signup(api, workshop, session, "At The Door", email="door.attend@example.org")

    people = await _people(api, workshop, session)
    assert {name: p["present"] for name, p in people.items()} == {"Early Bird": False, "At The Door": True}

    for address in ("early.attend@example.org", "door.attend@example.org"):  # their mails issued their links
        mail_sink.wait_for(lambda found: len(found) == 1, to=address)
    path = f"{base}/signups/{early}/attendance"
    retry = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    marked = await api.client.post(path, json={"present": True}, headers=retry)
    assert (marked.status_code, marked.json()) == (200, {"signup_id": early, "present": True})
    length = log_length(redis_client, workshop["id"])
    assert (await api.client.post(path, json={"present": True}, headers=retry)).status_code == 200
    assert (await api.client.post(path, json={"present": True}, headers=workshop["auth"])).json()["present"] is True
    assert log_length(redis_client, workshop["id"]) == length  # retried and repeated: one event
    assert (await _people(api, workshop, session))["Early Bird"]["present"] is True

    absent = await api.client.post(path, json={"present": False}, headers=workshop["auth"])
    assert absent.json() == {"signup_id": early, "present": False}
    assert log_length(redis_client, workshop["id"]) == length + 1


async def test_attendance_refuses_bad_input_strangers_and_participants(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    signup = (await api.signup(workshop, session, email="self.attend@example.org")).json()
    path = f"/api/workshops/{workshop['id']}/signups/{signup['signup_id']}/attendance"
    for body in ({"present": "yes"}, {}, {"present": True, "extra": 1}):
        response = await api.client.post(path, json=body, headers=workshop["auth"])
        assert response.status_code == 400, body
    nobody = await api.client.post(
        f"/api/workshops/{workshop['id']}/signups/nope/attendance", json={"present": True}, headers=workshop["auth"]
    )
    assert nobody.status_code == 404
    own = {"Authorization": f"Bearer {signup['participant_token']}"}
    assert (await api.client.post(path, json={"present": True}, headers=own)).status_code == 403
    assert (await api.client.post(path, json={"present": True})).status_code == 401
    walk_in = await api.signup(workshop, session, name="Sneaky", present=True)
    assert walk_in.status_code == 403  # only a facilitator adds someone as present
    await api.client.delete(f"/api/workshops/{workshop['id']}/signups/{signup['signup_id']}", headers=own)
    gone = await api.client.post(path, json={"present": True}, headers=workshop["auth"])
    assert gone.status_code == 409


async def test_a_walk_in_without_an_address_counts_as_present(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=3)
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
        json={"name": "Walk In", "organisation": "Tafel", "consent": True, "present": True},
        headers=workshop["auth"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "confirmed"
    people = await _people(api, workshop, session)
    assert people["Walk In"]["present"] is True
    assert people["Walk In"]["email"] is None


async def test_release_gives_the_places_of_people_not_there_to_the_waitlist(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=2)
    base = f"/api/workshops/{workshop['id']}"
    spath = f"{base}/sessions/{session['id']}"
    here = await _signup(api, workshop, session, "Here Hanna", email="hanna.release@example.org")
    away = await _signup(api, workshop, session, "Away Arne", email="arne.release@example.org")
    waiting = await _signup(api, workshop, session, "Waiting Wim", email="wim.release@example.org")
    mail_sink.wait_for(lambda found: len(found) == 1, to="wim.release@example.org")  # on the waitlist

    early = await api.client.post(f"{spath}/release-absent", headers=workshop["auth"])
    assert early.status_code == 409  # not before the session is open

    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    await api.client.post(f"{base}/signups/{here}/attendance", json={"present": True}, headers=workshop["auth"])
    key = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    released = await api.client.post(f"{spath}/release-absent", headers=key)
    assert released.status_code == 200, released.text
    assert released.json() == {
        "released": [{"signup_id": away, "name": "Away Arne"}],
        "promoted": [{"signup_id": waiting, "name": "Waiting Wim"}],
    }
    mails = mail_sink.wait_for(lambda found: len(found) == 2, to="wim.release@example.org")
    assert "Waiting Wim" in text_of(mails[-1])

    length = log_length(redis_client, workshop["id"])
    assert (await api.client.post(f"{spath}/release-absent", headers=key)).json() == released.json()
    again = await api.client.post(f"{spath}/release-absent", headers=workshop["auth"])
    assert again.json() == {"released": [], "promoted": []}  # Wim's place is his since the start
    assert log_length(redis_client, workshop["id"]) == length
    detail = (await api.client.get(spath, headers=workshop["auth"])).json()
    assert sorted(s["name"] for s in detail["signups"]) == ["Here Hanna", "Waiting Wim"]
    assert detail["waitlist"] == []
    assert len(mail_sink.messages("arne.release@example.org")) == 1  # only the confirmation


async def test_reports_count_who_came_beside_who_signed_up(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Anwesenheit")
    base = f"/api/workshops/{workshop['id']}"
    spath = f"{base}/sessions/{session['id']}"
    await _signup(api, workshop, session, "Before Opening", email="before.count@example.org")
    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    for name in ("Door One", "Door Two"):
        await _signup(api, workshop, session, name, email=f"{name.replace(' ', '.').lower()}@example.org")
    await api.client.post(f"{spath}/close", headers=workshop["auth"])

    digest = (await api.client.get(f"{spath}/digest", headers=workshop["auth"])).json()
    assert (digest["confirmed"], digest["present"]) == (3, 2)
    assert {p["name"]: p["present"] for p in digest["participants"]} == {
        "Before Opening": False,
        "Door One": True,
        "Door Two": True,
    }
    report = (await api.client.get(f"{base}/report", headers=workshop["auth"])).json()
    assert report["totals"]["present"] == 2
    assert report["sessions"][0]["present"] == 2

    markdown = (await api.client.get(f"{spath}/digest.md?lang=en", headers=workshop["auth"])).text
    assert "- present: 2" in markdown
    assert "- Door One, present" in markdown
    assert "- Before Opening\n" in markdown
    german = (await api.client.get(f"{spath}/digest.md?lang=de", headers=workshop["auth"])).text
    assert "- anwesend: 2" in german
    html = (await api.client.get(f"{spath}/digest.html?lang=en", headers=workshop["auth"])).text
    assert '<th scope="col">Present</th>' in html
    table = (await api.client.get(f"{base}/report.csv?lang=en", headers=workshop["auth"])).text
    rows = list(csv.DictReader(io.StringIO(table.lstrip("\ufeff"))))
    assert {row["Name"]: row["Present"] for row in rows} == {
        "Before Opening": "no",
        "Door One": "yes",
        "Door Two": "yes",
    }
    report_md = (await api.client.get(f"{base}/report.md?lang=en", headers=workshop["auth"])).text
    assert "| Anwesenheit | Topic table | 3 | 2 | 0 |" in report_md
    assert "- present: 2" in report_md
