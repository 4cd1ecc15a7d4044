"""A retry is never a duplicate, and a full session is never overbooked."""

from __future__ import annotations

import asyncio

import redis

from tests.integration.conftest import Api, log_length


async def test_the_same_key_and_payload_get_the_identical_first_response(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    headers = {"Idempotency-Key": "tablet-7f3a"}
    first = await api.client.post(path, json={"name": "Anna", "consent": True}, headers=headers)
    # the same payload, spaced and ordered differently, is the same request
    again = await api.client.post(
        path, content=b'{ "consent": true,  "name": "Anna" }', headers={**headers, "content-type": "application/json"}
    )
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert log_length(redis_client, workshop["id"]) == 3


async def test_the_same_key_with_another_payload_is_422(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    headers = {"Idempotency-Key": "k-1"}
    await api.client.post(path, json={"name": "Anna", "consent": True}, headers=headers)
    other = await api.client.post(path, json={"name": "Ben", "consent": True}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert log_length(redis_client, workshop["id"]) == 3


async def test_a_too_long_idempotency_key_is_refused(api: Api) -> None:
    workshop = await api.workshop()
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions",
        headers={**workshop["auth"], "Idempotency-Key": "k" * 129},
        json={"title": "T", "format": "barcamp"},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_fifty_concurrent_requests_with_one_key_make_one_event(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/commitments"
    body = {"owner_name": "Anna", "text": "Flyer drucken"}
    headers = {**workshop["auth"], "Idempotency-Key": "offline-replay-1"}
    responses = await asyncio.gather(*(api.client.post(path, json=body, headers=headers) for _ in range(50)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert log_length(redis_client, workshop["id"]) == 3
    full = (
        await api.client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}", headers=workshop["auth"])
    ).json()
    assert len(full["commitments"]) == 1


async def test_a_retried_workshop_creation_creates_one_workshop(api: Api) -> None:
    body = {"title": "Runder Tisch", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"}
    headers = {**api.admin, "Idempotency-Key": "create-runder-tisch-2026"}
    responses = await asyncio.gather(
        *(api.client.post("/api/workshops", json=body, headers=headers) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.content for r in responses}) == 1


async def test_a_retried_delete_answers_the_same(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=1)
    anna = (await api.signup(workshop, session, email="a@example.org")).json()
    await api.signup(workshop, session, name="Ben", email="b@example.org")
    path = f"/api/workshops/{workshop['id']}/signups/{anna['signup_id']}"
    headers = {**workshop["auth"], "Idempotency-Key": "withdraw-anna"}
    first = await api.client.delete(path, headers=headers)
    again = await api.client.delete(path, headers=headers)
    assert first.status_code == again.status_code == 200 and first.content == again.content


async def test_fifty_concurrent_signups_never_overbook(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=10)
    responses = await asyncio.gather(
        *(api.signup(workshop, session, name=f"Person {i}", email=f"p{i}@example.org") for i in range(50))
    )
    assert {r.status_code for r in responses} == {201}
    placed = [r.json() for r in responses]
    assert sum(1 for p in placed if p["status"] == "confirmed") == 10
    positions = sorted(p["waitlist_position"] for p in placed if p["status"] == "waitlisted")
    assert positions == list(range(1, 41))
    public = (await api.client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}")).json()
    assert (public["confirmed"], public["waitlisted"], public["seats_left"]) == (10, 40, 0)


async def test_concurrent_signups_of_one_email_make_one_signup(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    responses = await asyncio.gather(*(api.signup(workshop, session, email="same@example.org") for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["signup_id"] for r in responses}) == 1
