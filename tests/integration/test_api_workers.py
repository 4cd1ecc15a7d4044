"""`knoten api --workers N`: N processes behind one port, each with its own state, kept apart by
the append's expected version."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.processes import ApiProcess, RedisProcess, descendants

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CAPACITY, PEOPLE = 5, 16


@pytest.fixture
def two_workers(redis_server: RedisProcess, artifacts: Path) -> Iterator[ApiProcess]:
    env = {**knoten_env(redis_server.url), "KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": "100000"}
    serve = (*ApiProcess.SERVE, "--workers", "2")
    process = ApiProcess(env, artifacts / "api-two-workers.log", serve=serve).start()
    yield process
    process.stop()


def python_children(pid: int) -> list[int]:
    found = []
    for child in descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in command and b"resource_tracker" not in command:
            found.append(child)
    return found


async def test_two_api_processes_behind_one_port_fill_a_session_exactly_to_its_capacity(
    two_workers: ApiProcess,
) -> None:
    assert two_workers.process is not None
    assert len(python_children(two_workers.process.pid)) == 2  # two processes serve the one port

    async with httpx.AsyncClient(base_url=two_workers.url, timeout=30) as client:
        body = {
            "title": "Zwei Prozesse",
            "starts_at": "2026-05-09T10:00:00+02:00",
            "ends_at": "2026-05-09T18:00:00+02:00",
        }
        workshop = (await client.post("/api/workshops", json=body, headers=ADMIN)).json()
        auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
        sessions = f"/api/workshops/{workshop['id']}/sessions"
        session = await client.post(
            sessions, json={"title": "Tisch", "format": "thementisch", "capacity": CAPACITY}, headers=auth
        )
        session_id = session.json()["id"]
        assert (await client.post(f"{sessions}/{session_id}/open", headers=auth)).status_code == 200

    async def sign_up(n: int) -> httpx.Response:
        # A connection each: the kernel hands them to either process.
        async with httpx.AsyncClient(base_url=two_workers.url, timeout=30) as own:
            person = {"name": f"Person {n}", "email": f"person.{n}@example.org", "consent": True}
            return await own.post(f"{sessions}/{session_id}/signups", json=person, headers={"Idempotency-Key": f"p{n}"})

    replies = await asyncio.gather(*(sign_up(n) for n in range(PEOPLE)))

    assert [reply.status_code for reply in replies] == [201] * PEOPLE
    statuses = [reply.json()["status"] for reply in replies]
    assert statuses.count("confirmed") == CAPACITY
    waiting = sorted(reply.json()["waitlist_position"] for reply in replies if reply.json()["status"] == "waitlisted")
    assert waiting == list(range(1, PEOPLE - CAPACITY + 1))
