"""Corrections at the table: a facilitator withdraws or reopens a commitment; each is an event,
idempotent, and shows in the follow-ups, the digest, the report and the reminders."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

from service.store.jobs import SERIALIZER
from tests.integration.conftest import Api, log_length
from tests.integration.sse import collect, messages
from tests.mail_sink import MailSink, text_of
from tests.waiting import wait_for_jobs, wait_until


async def _commit(api: Api, workshop: dict[str, Any], session: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/commitments", json=body, headers=workshop["auth"]
    )
    assert response.status_code == 201, response.text
    commitment: dict[str, Any] = response.json()
    return commitment


async def _follow_up_statuses(api: Api, workshop: dict[str, Any]) -> dict[str, str]:
    response = await api.client.get(f"/api/workshops/{workshop['id']}/follow-ups", headers=workshop["auth"])
    assert response.status_code == 200
    return {entry["text"]: entry["status"] for entry in response.json()}


async def test_a_withdrawn_commitment_leaves_the_digest_and_report_and_can_be_reopened(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    base = f"/api/workshops/{workshop['id']}"
    await _commit(api, workshop, session, owner_name="Anna", text="Aushang entwerfen")
    wrong = await _commit(api, workshop, session, owner_name="Ben", text="Vertippt")
    path = f"{base}/commitments/{wrong['id']}"
    retry = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}

    withdrawn = await api.client.delete(path, headers=retry)
    assert (withdrawn.status_code, withdrawn.json()) == (200, {"status": "withdrawn"})
    length = log_length(redis_client, workshop["id"])
    again = await api.client.delete(path, headers=retry)
    assert (again.status_code, again.json()) == (200, {"status": "withdrawn"})
    assert (await api.client.delete(path, headers=workshop["auth"])).json() == {"status": "withdrawn"}
    assert log_length(redis_client, workshop["id"]) == length  # retried and repeated: nothing new

    assert await _follow_up_statuses(api, workshop) == {"Aushang entwerfen": "scheduled", "Vertippt": "withdrawn"}
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    digest = (await api.client.get(f"{base}/sessions/{session['id']}/digest", headers=workshop["auth"])).json()
    assert [c["text"] for c in digest["commitments"]] == ["Aushang entwerfen"]
    assert "Vertippt" not in (await api.client.get(f"{base}/report.md", headers=workshop["auth"])).text
    report = (await api.client.get(f"{base}/report", headers=workshop["auth"])).json()
    assert report["totals"]["commitments"] == 1

    reopened = await api.client.post(f"{path}/reopen", headers=workshop["auth"])
    assert (reopened.status_code, reopened.json()) == (200, {"status": "open"})
    assert (await _follow_up_statuses(api, workshop))["Vertippt"] == "scheduled"
    report = (await api.client.get(f"{base}/report", headers=workshop["auth"])).json()
    assert report["totals"]["commitments"] == 2


async def test_unknown_commitments_are_not_found_and_only_facilitators_correct(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    base = f"/api/workshops/{workshop['id']}/commitments"
    for response in (
        await api.client.delete(f"{base}/nope", headers=workshop["auth"]),
        await api.client.post(f"{base}/nope/reopen", headers=workshop["auth"]),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    commitment = await _commit(api, workshop, session, owner_name="Anna", text="Flyer")
    assert (await api.client.delete(f"{base}/{commitment['id']}")).status_code == 401
    assert (await api.client.post(f"{base}/{commitment['id']}/reopen")).status_code == 401
    assert (await _follow_up_statuses(api, workshop)) == {"Flyer": "scheduled"}


@pytest.mark.usefixtures("worker_process")
async def test_a_commitment_withdrawn_after_the_close_gets_no_follow_up(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop(follow_up_after="PT3S")
    session = await api.session(workshop, title="Nachbarschaftshilfe")
    base = f"/api/workshops/{workshop['id']}"
    await _commit(api, workshop, session, owner_name="Anna", owner_email="anna.corr@example.org", text="Flyer")
    wrong = await _commit(api, workshop, session, owner_name="Ben", owner_email="ben.corr@example.org", text="Raum")
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    # the follow-ups are scheduled now; the correction comes before they run
    assert (await api.client.delete(f"{base}/commitments/{wrong['id']}", headers=workshop["auth"])).status_code == 200

    (follow_up,) = mail_sink.wait_for(lambda found: len(found) == 1, timeout=30, to="anna.corr@example.org")
    assert "Flyer" in text_of(follow_up)
    wait_for_jobs(redis_client, workshop["id"], "send_follow_ups")
    assert mail_sink.messages("ben.corr@example.org") == []


async def test_a_facilitator_takes_dots_back_but_never_below_zero(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, format="zukunftswerkstatt")
    base = f"/api/workshops/{workshop['id']}"
    await api.client.post(f"{base}/sessions/{session['id']}/open", headers=workshop["auth"])
    card = (
        await api.client.post(f"{base}/sessions/{session['id']}/cards", json={"text": "Laut"}, headers=workshop["auth"])
    ).json()
    votes = f"{base}/cards/{card['id']}/votes"

    async def vote(count: object, headers: dict[str, str] = workshop["auth"]) -> dict[str, Any]:
        response = await api.client.post(votes, json={"count": count}, headers=headers)
        assert response.status_code == 200, response.text
        entry: dict[str, Any] = response.json()
        return entry

    assert (await vote(3))["votes"] == 3
    retry = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    assert (await vote(-1, retry))["votes"] == 2
    assert (await vote(-1, retry))["votes"] == 2  # the retry is answered, not counted again
    assert (await vote(-5))["votes"] == 0
    assert (await vote(-2))["votes"] == 0
    before = log_length(redis_client, workshop["id"])
    for count in (0, 6, -6, "x"):
        refused = await api.client.post(votes, json={"count": count}, headers=workshop["auth"])
        assert refused.status_code == 400, count
        assert [error["field"] for error in refused.json()["errors"]] == ["count"]
    assert (
        await api.client.post(f"{base}/cards/nope/votes", json={"count": -1}, headers=workshop["auth"])
    ).status_code == 404
    assert log_length(redis_client, workshop["id"]) == before
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    digest = (await api.client.get(f"{base}/sessions/{session['id']}/digest", headers=workshop["auth"])).json()
    assert digest["cards"]["kritik"] == [{"text": "Laut", "votes": 0}]


async def _post(api: Api, workshop: dict[str, Any], path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.post(f"/api/workshops/{workshop['id']}{path}", json=body, headers=workshop["auth"])
    assert response.status_code in (200, 201), response.text
    entry: dict[str, Any] = response.json()
    return entry


async def test_a_removed_note_card_or_offer_leaves_the_session_digest_and_report(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    future = await api.session(workshop, format="zukunftswerkstatt", title="Zukunft")
    market = await api.session(workshop, format="marktplatz", title="Markt")
    for session in (future, market):
        await api.client.post(f"{base}/sessions/{session['id']}/open", headers=auth)
    await _post(api, workshop, f"/sessions/{future['id']}/cards", {"text": "Bleibt"})
    card = await _post(api, workshop, f"/sessions/{future['id']}/cards", {"text": "Tippfehler-Karte"})
    note = await _post(api, workshop, f"/sessions/{future['id']}/notes", {"text": "Tippfehler-Notiz"})
    offer = await _post(
        api, workshop, f"/sessions/{market['id']}/offers", {"kind": "offer", "text": "Tippfehler-Angebot"}
    )
    for path in (f"notes/{note['id']}", f"cards/{card['id']}", f"offers/{offer['id']}"):
        retry = {**auth, "Idempotency-Key": secrets.token_urlsafe(16)}
        removed = await api.client.delete(f"{base}/{path}", headers=retry)
        assert (removed.status_code, removed.json()) == (200, {"status": "removed"}), path
        length = log_length(redis_client, workshop["id"])
        assert (await api.client.delete(f"{base}/{path}", headers=retry)).json() == {"status": "removed"}
        assert log_length(redis_client, workshop["id"]) == length  # the retry wrote nothing
        gone = await api.client.delete(f"{base}/{path}", headers=auth)
        assert gone.status_code == 404 and gone.headers["content-type"].startswith("application/problem+json")
        assert (await api.client.delete(f"{base}/{path}")).status_code == 401

    full = (await api.client.get(f"{base}/sessions/{future['id']}", headers=auth)).json()
    assert ([c["text"] for c in full["cards"]], full["notes"]) == (["Bleibt"], [])
    assert (await api.client.get(f"{base}/sessions/{market['id']}", headers=auth)).json()["offers"] == []
    voted = await api.client.post(f"{base}/cards/{card['id']}/votes", json={"count": 1}, headers=auth)
    assert voted.status_code == 404
    await api.client.post(f"{base}/close", headers=auth)
    digest = (await api.client.get(f"{base}/sessions/{future['id']}/digest", headers=auth)).json()
    assert (digest["cards"]["kritik"], digest["notes"]) == ([{"text": "Bleibt", "votes": 0}], [])
    for session, kept in ((future, "Bleibt"), (market, "Markt")):
        document = (await api.client.get(f"{base}/sessions/{session['id']}/digest.md", headers=auth)).text
        assert kept in document and "Tippfehler" not in document
    assert "Tippfehler" not in (await api.client.get(f"{base}/report.md", headers=auth)).text


async def test_a_matched_offer_is_not_removed(api: Api) -> None:
    workshop = await api.workshop()
    market = await api.session(workshop, format="marktplatz")
    base = f"/api/workshops/{workshop['id']}"
    await api.client.post(f"{base}/sessions/{market['id']}/open", headers=workshop["auth"])
    path = f"/sessions/{market['id']}/offers"
    offer = await _post(api, workshop, path, {"kind": "offer", "text": "Lastenrad", "owner_name": "Anna"})
    request = await _post(api, workshop, path, {"kind": "request", "text": "Transport", "owner_name": "Ben"})
    await _post(api, workshop, "/matches", {"offer_id": offer["id"], "request_id": request["id"]})
    refused = await api.client.delete(f"{base}/offers/{offer['id']}", headers=workshop["auth"])
    assert refused.status_code == 409
    full = (await api.client.get(f"{base}/sessions/{market['id']}", headers=workshop["auth"])).json()
    assert len(full["offers"]) == 2


async def test_an_undone_match_withdraws_both_commitments_and_can_be_made_again(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    market = await api.session(workshop, format="marktplatz")
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    await api.client.post(f"{base}/sessions/{market['id']}/open", headers=auth)
    path = f"/sessions/{market['id']}/offers"
    offer = await _post(api, workshop, path, {"kind": "offer", "text": "Lastenrad", "owner_name": "Anna"})
    request = await _post(api, workshop, path, {"kind": "request", "text": "Transport", "owner_name": "Ben"})
    pair = {"offer_id": offer["id"], "request_id": request["id"]}
    match = await _post(api, workshop, "/matches", pair)

    retry = {**auth, "Idempotency-Key": secrets.token_urlsafe(16)}
    undone = await api.client.delete(f"{base}/matches/{match['id']}", headers=retry)
    assert (undone.status_code, undone.json()) == (200, {"status": "removed"})
    length = log_length(redis_client, workshop["id"])
    assert (await api.client.delete(f"{base}/matches/{match['id']}", headers=retry)).status_code == 200
    assert log_length(redis_client, workshop["id"]) == length
    assert (await api.client.delete(f"{base}/matches/{match['id']}", headers=auth)).status_code == 404
    assert (await api.client.delete(f"{base}/matches/nope", headers=auth)).status_code == 404

    full = (await api.client.get(f"{base}/sessions/{market['id']}", headers=auth)).json()
    assert [o["match_id"] for o in full["offers"]] == [None, None]
    assert sorted((await _follow_up_statuses(api, workshop)).values()) == ["withdrawn", "withdrawn"]
    again = await _post(api, workshop, "/matches", pair)
    assert sorted(c["owner_name"] for c in again["commitments"]) == ["Anna", "Ben"]
    await api.client.post(f"{base}/sessions/{market['id']}/close", headers=auth)
    digest = (await api.client.get(f"{base}/sessions/{market['id']}/digest", headers=auth)).json()
    assert len(digest["matches"]) == 1 and len(digest["commitments"]) == 2


async def test_a_corrected_commitment_shows_its_new_text_owner_and_reminder_date(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    later = (date.today() + timedelta(days=20)).isoformat()
    commitment = await _commit(api, workshop, session, owner_name="Anna", text="Flyr drucken")
    path = f"{base}/commitments/{commitment['id']}"
    retry = {**auth, "Idempotency-Key": secrets.token_urlsafe(16)}
    body = {"text": "Flyer drucken", "due": later, "owner_name": "Anna Beispiel"}
    corrected = await api.client.patch(path, json=body, headers=retry)
    assert corrected.status_code == 200, corrected.text
    entry = corrected.json()
    assert (entry["text"], entry["due"], entry["owner_name"]) == ("Flyer drucken", later, "Anna Beispiel")
    length = log_length(redis_client, workshop["id"])
    assert (await api.client.patch(path, json=body, headers=retry)).json() == entry
    assert log_length(redis_client, workshop["id"]) == length

    follow_ups = (await api.client.get(f"{base}/follow-ups", headers=auth)).json()
    assert follow_ups[0]["text"] == "Flyer drucken"
    assert follow_ups[0]["remind_at"].startswith(later + "T09:00:00")
    for bad, field in (
        ({"due": "next week"}, "due"),
        ({"text": "x" * 501}, "text"),
        ({"owner_email": "not-an-address"}, "owner_email"),
        ({"colour": "red"}, "colour"),
    ):
        refused = await api.client.patch(path, json=bad, headers=auth)
        assert refused.status_code == 400, (bad, refused.text)
        assert field in [error["field"] for error in refused.json()["errors"]], refused.text
    assert (await api.client.patch(f"{base}/commitments/nope", json=body, headers=auth)).status_code == 404
    assert (await api.client.patch(path, json=body)).status_code == 401
    assert log_length(redis_client, workshop["id"]) == length


@pytest.mark.usefixtures("worker_process")
async def test_a_moved_due_date_is_reminded_on_the_new_day_and_not_on_the_old(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    later, yesterday = date.today() + timedelta(days=20), date.today() - timedelta(days=1)
    commitment = await _commit(
        api,
        workshop,
        session,
        owner_name="Dora",
        owner_email="dora.moved@example.org",
        text="Bericht",
        due=later.isoformat(),
    )
    (old_job,) = _due_reminder_jobs(redis_client, workshop["id"])
    moved = await api.client.patch(
        f"{base}/commitments/{commitment['id']}", json={"due": yesterday.isoformat()}, headers=auth
    )
    assert moved.status_code == 200
    (reminder,) = mail_sink.wait_for(lambda found: len(found) == 1, to="dora.moved@example.org")
    assert reminder["Subject"] == "Heute fällig: Bericht"

    Queue(old_job.origin, connection=redis_client, serializer=SERIALIZER).enqueue_job(
        old_job
    )  # the old day comes early
    wait_until(lambda: old_job.get_status(refresh=True) == JobStatus.FINISHED, "the old reminder job to run")
    assert old_job.return_value() is False
    assert len(mail_sink.messages("dora.moved@example.org")) == 1


def _due_reminder_jobs(client: redis.Redis, workshop_id: str) -> list[Job]:
    keys = client.scan_iter(f"rq:job:{workshop_id}-*-send_due_reminder")
    return [Job.fetch(key.decode().removeprefix("rq:job:"), connection=client, serializer=SERIALIZER) for key in keys]


async def test_each_correction_is_an_event_in_the_stream_with_names_but_no_emails(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    commitment = await _commit(api, workshop, session, owner_name="Anna", text="Flyr")
    path = f"{base}/commitments/{commitment['id']}"
    body = {"text": "Flyer", "owner_name": "Anna B.", "owner_email": "anna.stream@example.org"}
    assert (await api.client.patch(path, json=body, headers=auth)).status_code == 200
    assert (await api.client.delete(path, headers=auth)).status_code == 200
    assert (await api.client.post(f"{path}/reopen", headers=auth)).status_code == 200
    got = await asyncio.wait_for(collect(api.client, f"{base}/stream", 6, headers=auth), 10)
    assert [m.event for m in got[3:]] == ["commitment_corrected", "commitment_withdrawn", "commitment_reopened"]
    assert got[3].data["text"] == "Flyer" and got[3].data["owner"] == {"name": "Anna B."}
    assert "anna.stream@example.org" not in repr([m.data for m in got])


async def _events_until(api: Api, workshop: dict[str, Any], wanted: set[str]) -> list[Any]:
    """The workshop's stream from its start until every event named in `wanted` came."""
    got = []
    path = f"/api/workshops/{workshop['id']}/stream"
    async with api.client.stream("GET", path, headers=workshop["auth"]) as response:
        async for message in messages(response):
            got.append(message)
            if wanted <= {m.event for m in got}:
                break
    return got


async def test_every_correction_at_the_table_is_an_event_in_the_stream(api: Api) -> None:
    """What the console undoes and corrects reaches every other screen: removed notes, cards and
    offers, dots taken back, an undone match, attendance and places released."""
    workshop = await api.workshop()
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}"
    future = await api.session(workshop, format="zukunftswerkstatt", title="Zukunft", capacity=1)
    market = await api.session(workshop, format="marktplatz", title="Markt")
    away = (await api.signup(workshop, future, name="Away Arne", email="arne.stream@example.org")).json()
    waiting = (await api.signup(workshop, future, name="Wim Wartet", email="wim.stream@example.org")).json()
    assert waiting["status"] == "waitlisted"
    for session in (future, market):
        await api.client.post(f"{base}/sessions/{session['id']}/open", headers=auth)
    note = await _post(api, workshop, f"/sessions/{future['id']}/notes", {"text": "Tippfehler-Notiz"})
    card = await _post(api, workshop, f"/sessions/{future['id']}/cards", {"text": "Laut"})
    wrong = await _post(api, workshop, f"/sessions/{future['id']}/cards", {"text": "Tippfehler-Karte"})
    await _post(api, workshop, f"/cards/{card['id']}/votes", {"count": 2})
    await _post(api, workshop, f"/cards/{card['id']}/votes", {"count": -1})
    offers = f"/sessions/{market['id']}/offers"
    offer = await _post(api, workshop, offers, {"kind": "offer", "text": "Lastenrad", "owner_name": "Anna"})
    request = await _post(api, workshop, offers, {"kind": "request", "text": "Transport", "owner_name": "Ben"})
    extra = await _post(api, workshop, offers, {"kind": "offer", "text": "Tippfehler-Angebot"})
    match = await _post(api, workshop, "/matches", {"offer_id": offer["id"], "request_id": request["id"]})
    for path in (f"notes/{note['id']}", f"cards/{wrong['id']}", f"offers/{extra['id']}", f"matches/{match['id']}"):
        assert (await api.client.delete(f"{base}/{path}", headers=auth)).status_code == 200, path
    for present in (True, False):  # tapped by mistake, then corrected
        await _post(api, workshop, f"/signups/{away['signup_id']}/attendance", {"present": present})
    released = await _post(api, workshop, f"/sessions/{future['id']}/release-absent", {})
    assert [p["name"] for p in released["promoted"]] == ["Wim Wartet"]

    wanted = {
        "note_removed",
        "card_removed",
        "offer_removed",
        "match_undone",
        "attendance_marked",
        "place_released",
    }
    got = await asyncio.wait_for(_events_until(api, workshop, wanted), 15)
    kinds = [m.event for m in got]
    assert wanted <= set(kinds), kinds
    votes = [m.data for m in got if m.event == "card_voted"]
    assert [v.get("count") for v in votes] == [2, -1]  # the dot taken back is an event of its own
    marks = [m.data["present"] for m in got if m.event == "attendance_marked"]
    assert marks == [True, False]
    assert "arne.stream@example.org" not in repr([m.data for m in got])
