"""Proof under faults: a sign-up that got its 201 survives a SIGKILLed Redis, and the jobs an
acknowledged event calls for run even when the API is SIGKILLed right after the append.

The clients behave like the console's offline queue: every write carries an Idempotency-Key
and is sent again with the same key until it gets an answer that is not a 5xx or a broken
connection.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from service.store.jobs import queue
from tests.integration.conftest import ADMIN_TOKEN
from tests.integration.stack import Stack
from tests.waiting import wait_for_jobs

GENEROUS_LIMITS = {"KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": "100000", "KNOTEN_SIGNUPS_PER_SESSION_MINUTE": "100000"}
pytestmark = pytest.mark.stack(**GENEROUS_LIMITS)


class Tablet:
    """Writes that are retried with their key until answered; counts what went wrong on the way."""

    def __init__(self, stack: Stack, client: httpx.AsyncClient) -> None:
        self.stack, self.client = stack, client
        self.failed_attempts: Counter[str] = Counter()

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        key = secrets.token_urlsafe(16)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = await self.client.post(
                    self.stack.api.url + path, json=body, headers={**(headers or {}), "Idempotency-Key": key}
                )
                if response.status_code < 500:
                    return response
                self.failed_attempts[str(response.status_code)] += 1
            except httpx.TransportError as error:
                self.failed_attempts[type(error).__name__] += 1
            await asyncio.sleep(0.2)
        raise AssertionError(f"no answer to {path} within two minutes")


async def _session(tablet: Tablet, capacity: int | None) -> tuple[dict[str, Any], dict[str, str], str]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {"title": "Faults", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
    workshop = (await tablet.post("/api/workshops", body, admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session_body: dict[str, Any] = {"title": "Tisch", "format": "thementisch"}
    if capacity:
        session_body["capacity"] = capacity
    session = (await tablet.post(f"/api/workshops/{workshop['id']}/sessions", session_body, auth)).json()
    return workshop, auth, f"/api/workshops/{workshop['id']}/sessions/{session['id']}"


async def _sign_up_everyone(tablet: Tablet, path: str, people: list[str], acked: dict[str, Any]) -> None:
    """Four phones at once, each signing up its share of people."""

    async def phone(mine: list[str]) -> None:
        for email in mine:
            response = await tablet.post(
                f"{path}/signups", {"name": email.split("@")[0], "email": email, "consent": True}
            )
            assert response.status_code == 201, response.text
            acked[email] = response.json()

    await asyncio.gather(*(phone(people[i::4]) for i in range(4)))


async def _when(count: Any, reached: int) -> None:
    while count() < reached:
        await asyncio.sleep(0.01)


@pytest.mark.slow
async def test_every_sign_up_that_got_its_201_is_there_after_redis_was_killed_three_times(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tablet = Tablet(stack, client)
    _, auth, path = await _session(tablet, capacity=25)
    people = [f"kill{i}.redis@example.org" for i in range(150)]
    acked: dict[str, Any] = {}

    async def kill_redis_mid_stream() -> list[int]:
        at = []
        for threshold in (30, 70, 110):
            await _when(lambda: len(acked), threshold)
            at.append(len(acked))
            await asyncio.to_thread(stack.restart_redis, True)  # SIGKILL, then the same port and AOF
        return at

    killed_at, _ = await asyncio.gather(kill_redis_mid_stream(), _sign_up_everyone(tablet, path, people, acked))
    assert all(n < len(people) for n in killed_at)

    full = (await client.get(stack.api.url + path, headers=auth)).json()
    logged = Counter(entry["email"] for entry in full["signups"])
    assert set(logged) == set(people) and set(logged.values()) == {1}  # each there, once
    assert {a["signup_id"] for a in acked.values()} == {entry["signup_id"] for entry in full["signups"]}
    assert full["confirmed"] == 25  # never overbooked
    waitlist = [entry["signup_id"] for entry in full["waitlist"]]
    acked_waitlisted = sorted(
        (a for a in acked.values() if a["status"] == "waitlisted"), key=lambda a: a["waitlist_position"]
    )
    assert waitlist == [a["signup_id"] for a in acked_waitlisted]  # in the order they were told
    print(
        f"\nRedis SIGKILLed after {killed_at} of {len(people)} acknowledged sign-ups; "
        f"failed attempts on the way {dict(tablet.failed_attempts)}; lost 0"
    )


@pytest.mark.slow
async def test_the_jobs_of_acknowledged_sign_ups_run_although_the_api_was_killed_right_after(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tablet = Tablet(stack, client)
    workshop, _, path = await _session(tablet, capacity=None)
    people = [f"kill{i}.api@example.org" for i in range(40)]
    acked: dict[str, Any] = {}

    async def kill_api_mid_stream() -> int:
        await _when(lambda: len(acked), 15)
        await asyncio.to_thread(stack.restart_api)  # SIGKILL: no shutdown, nothing flushed
        return len(acked)

    killed_at, _ = await asyncio.gather(kill_api_mid_stream(), _sign_up_everyone(tablet, path, people, acked))
    waiting = queue(stack.redis.client()).job_ids  # no worker ran yet, and reconcile runs in workers
    assert sum(job.endswith("send_signup_confirmation") for job in waiting) == len(people)
    stack.start_worker()  # the jobs wait in Redis, enqueued in the same transaction as the events
    stack.sink.wait_for(lambda found: {str(m["To"]) for m in found} >= set(people), timeout=120)
    wait_for_jobs(stack.redis.client(), workshop["id"], "send_signup_confirmation", timeout=120)
    delivered = Counter(str(m["To"]) for m in stack.sink.messages())
    assert all(delivered[email] == 1 for email in people), delivered  # every confirmation, once
    print(f"\nAPI SIGKILLed after {killed_at} of {len(people)} acknowledged sign-ups; every confirmation sent once")


async def test_while_redis_is_down_a_sign_up_gets_503_and_its_retry_lands_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    tablet = Tablet(stack, client)
    _, auth, path = await _session(tablet, capacity=None)
    body = {"name": "Rita", "email": "rita.down@example.org", "consent": True}
    headers = {"Idempotency-Key": secrets.token_urlsafe(16)}
    stack.redis.kill()
    down = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
    assert down.status_code == 503 and down.headers["retry-after"] == "5"
    assert down.headers["content-type"].startswith("application/problem+json")
    assert "Idempotency-Key" in down.json()["detail"]
    stack.restart_redis(kill=True)
    first = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
    again = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
    assert first.status_code == 201 and again.text == first.text
    full = (await client.get(stack.api.url + path, headers=auth)).json()
    assert [entry["email"] for entry in full["signups"]] == ["rita.down@example.org"]


async def test_when_redis_is_full_a_sign_up_gets_503_writes_nothing_and_its_retry_lands_later(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """Redis at `maxmemory` refuses writes (noeviction, as knoten demands): the sign-up is told
    to come back later, nothing of it is stored, reading still works, and once there is room
    the same request lands once."""
    tablet = Tablet(stack, client)
    workshop, auth, path = await _session(tablet, capacity=None)
    redis_client = stack.redis.client()
    log_key = f"knoten:{{{workshop['id']}}}:log"
    before = (redis_client.xlen(log_key), queue(redis_client).count)
    body = {"name": "Vera", "email": "vera.full@example.org", "consent": True}
    headers = {"Idempotency-Key": secrets.token_urlsafe(16)}
    redis_client.config_set("maxmemory", 1)
    try:
        full = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
        assert full.status_code == 503 and full.headers["retry-after"] == "60"
        assert full.headers["content-type"].startswith("application/problem+json")
        assert "full" in full.json()["detail"]
        view = await client.get(stack.api.url + path, headers=auth)
        assert view.status_code == 200 and view.json()["signups"] == []
        assert (redis_client.xlen(log_key), queue(redis_client).count) == before
    finally:
        redis_client.config_set("maxmemory", 0)
    first = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
    again = await client.post(stack.api.url + path + "/signups", json=body, headers=headers)
    assert first.status_code == 201 and again.text == first.text
    assert (redis_client.xlen(log_key), queue(redis_client).count) == (before[0] + 1, before[1] + 1)
