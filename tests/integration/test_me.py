"""A participant sees, exports and erases their own data with their personal token."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis

from service.security import new_id
from tests.integration.conftest import Api, log_length
from tests.mail_sink import MailSink
from tests.waiting import wait_for_jobs


async def test_me_shows_everything_held_and_erasing_removes_the_person_but_keeps_counts(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Nachbarschaftshilfe", capacity=1)
    base = f"/api/workshops/{workshop['id']}"
    anna = (
        await api.signup(
            workshop, session, name="Anna Beispiel", email="anna.me@example.org", organisation="AWO", newcomer=True
        )
    ).json()
    await api.signup(workshop, session, name="Ben", email="ben.me@example.org")
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={"signup_id": anna["signup_id"], "text": "Aushang", "due": "2027-01-01"},
    )
    mine = {"Authorization": f"Bearer {anna['participant_token']}"}

    me = (await api.client.get("/api/me", headers=mine)).json()
    assert (me["name"], me["email"], me["organisation"]) == ("Anna Beispiel", "anna.me@example.org", "AWO")
    assert [s["session_title"] for s in me["signups"]] == ["Nachbarschaftshilfe"]
    assert [c["text"] for c in me["commitments"]] == ["Aushang"]

    erased = await api.client.delete("/api/me", headers=mine)
    assert erased.status_code == 200 and erased.json()["erased"] is True
    assert (await api.client.get("/api/me", headers=mine)).status_code == 401  # the token is gone too

    full = await api.client.get(f"{base}/sessions/{session['id']}", headers=workshop["auth"])
    assert full.json()["confirmed"] == 1 and full.json()["waitlisted"] == 1  # counts stay
    for where in (
        full.text,
        (await api.client.get(f"{base}/report.md", headers=workshop["auth"])).text,
        (await api.client.get(f"{base}/report.csv", headers=workshop["auth"])).text,
        (await api.client.get(f"{base}/follow-ups", headers=workshop["auth"])).text,
    ):
        assert "Anna" not in where and "anna.me@example.org" not in where and "AWO" not in where
    assert "Ben" in full.text


@pytest.mark.usefixtures("worker_process")
async def test_an_erased_person_gets_no_pending_mail_and_loses_the_intro_talk(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop(follow_up_after="PT2S")
    session = await api.session(workshop, next_meeting_at=(datetime.now(UTC) + timedelta(days=3)).isoformat())
    base = f"/api/workshops/{workshop['id']}"
    nora = (await api.signup(workshop, session, name="Nora", email="nora.erase@example.org", newcomer=True)).json()
    await api.client.post(
        f"{base}/intro-slots",
        headers=workshop["auth"],
        json={
            "host_name": "Agnes",
            "host_email": "agnes.erase@example.org",
            "starts_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
    )
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={"signup_id": nora["signup_id"], "text": "Etwas"},
    )
    mail_sink.wait_for(lambda found: len(found) == 2, to="nora.erase@example.org")  # confirmation + invitation
    await api.client.delete("/api/me", headers={"Authorization": f"Bearer {nora['participant_token']}"})
    talks = (await api.client.get(f"{base}/intro-talks", headers=workshop["auth"])).json()
    assert talks == []
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    cancelled = mail_sink.wait_for(lambda found: len(found) == 2, to="agnes.erase@example.org")
    assert "Abgesagt" in str(cancelled[-1]["Subject"]) or "Cancelled" in str(cancelled[-1]["Subject"])
    wait_for_jobs(redis_client, workshop["id"], "send_follow_ups")  # the follow-up would have gone out now
    assert len(mail_sink.messages("nora.erase@example.org")) == 2


async def test_me_needs_a_participant_token(api: Api) -> None:
    workshop = await api.workshop()
    assert (await api.client.get("/api/me")).status_code == 401
    assert (await api.client.get("/api/me", headers=workshop["auth"])).status_code == 403
    assert (await api.client.delete("/api/me", headers=api.admin)).status_code == 403


async def test_after_erasure_retried_requests_answer_without_the_persons_data_and_run_once(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    base, auth = f"/api/workshops/{workshop['id']}", workshop["auth"]
    await api.client.post(f"{base}/sessions/{session['id']}/open", headers=auth)
    greta = {"name": "Greta Gründlich", "email": "greta.retry@example.org", "organisation": "Tafel Nord"}
    signup_path = f"{base}/sessions/{session['id']}/signups"

    def keyed(headers: dict[str, str] | None = None) -> dict[str, str]:
        return {**(headers or {}), "Idempotency-Key": secrets.token_hex(16)}

    requests: list[tuple[str, dict[str, Any] | None, dict[str, str]]] = []
    first: list[httpx.Response] = []

    async def send(path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> httpx.Response:
        requests.append((path, body, headers))
        first.append(await api.client.post(path, json=body, headers=headers))
        return first[-1]

    signup = await send(signup_path, {**greta, "consent": True}, keyed())
    await send(signup_path, {**greta, "consent": True}, keyed())  # already signed up: 200
    commitment_body = {"signup_id": signup.json()["signup_id"], "text": "Kisten tragen"}
    commitment = await send(f"{base}/sessions/{session['id']}/commitments", commitment_body, keyed(auth))
    await send(f"{base}/commitments/{commitment.json()['id']}/done", None, keyed(auth))
    await send(f"{base}/sessions/{session['id']}/close", None, keyed(auth))
    assert [reply.status_code for reply in first] == [201, 200, 201, 200, 200]
    assert "Greta" in first[2].text  # what a retry would show, unless the erasure reaches it

    mine = {"Authorization": f"Bearer {signup.json()['participant_token']}"}
    assert (await api.client.delete("/api/me", headers=keyed(mine))).status_code == 200
    length = log_length(redis_client, workshop["id"])

    for (path, body, headers), reply in zip(requests, first, strict=True):
        retried = await api.client.post(path, json=body, headers=headers)
        assert retried.status_code == reply.status_code, (path, retried.text)
        for personal in (b"Greta", b"greta.retry@example.org", b"Tafel Nord", "Gründlich".encode()):
            assert personal not in retried.content, (path, retried.text)
    assert log_length(redis_client, workshop["id"]) == length  # nothing ran twice


async def test_after_erasure_the_address_signs_up_elsewhere_as_a_stranger(api: Api) -> None:
    first, other = await api.workshop(), await api.workshop()
    fields = {"name": "Paula Neu", "email": "paula.stranger@example.org"}
    paula = (await api.signup(first, await api.session(first), **fields)).json()
    known = (await api.signup(other, await api.session(other), **fields)).json()
    assert known["newcomer"] is False  # the deployment has seen the address

    await api.client.delete("/api/me", headers={"Authorization": f"Bearer {paula['participant_token']}"})

    third = await api.workshop()  # in `other` she is still the same person; elsewhere the address is new
    again = (await api.signup(third, await api.session(third), **fields)).json()
    unseen = {"name": "Nie Gesehen", "email": f"{new_id()}@example.org"}
    stranger = (await api.signup(third, await api.session(third), **unseen)).json()
    assert again["newcomer"] is not False and again["newcomer"] == stranger["newcomer"]  # API.md: null
