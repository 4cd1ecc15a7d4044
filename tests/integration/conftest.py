"""A real `knoten api` process on a real redis-server, shared by the integration tests.

Every test makes its own workshop, so tests do not see each other's data.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import redis

from tests.mail_sink import MailSink
from tests.processes import ApiProcess, RedisProcess, WorkerProcess

if TYPE_CHECKING:
    from tests.integration.stack import Stack

ADMIN_TOKEN = "test-admin-" + secrets.token_urlsafe(16)
SECRET_KEY = secrets.token_urlsafe(48)


def knoten_env(redis_url: str, smtp_url: str | None = None) -> dict[str, str]:
    env = {
        "KNOTEN_REDIS_URL": redis_url,
        "KNOTEN_ADMIN_TOKEN": ADMIN_TOKEN,
        "KNOTEN_SECRET_KEY": SECRET_KEY,
        "KNOTEN_BASE_URL": "http://knoten.test",
        # Every test is the same client (127.0.0.1) of a shared API: the throttle of organiser
        # sign-ins has a test of its own (test_secrets.py) with its own low limit.
        "KNOTEN_ADMIN_LOGINS_PER_CLIENT_MINUTE": "100000",
    }
    if smtp_url:
        env["KNOTEN_SMTP_URL"] = smtp_url
    return env


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def api_process(redis_server: RedisProcess, artifacts: Path) -> Iterator[ApiProcess]:
    process = ApiProcess(knoten_env(redis_server.url), artifacts / "api-integration.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def unlimited_api_url(redis_server: RedisProcess, artifacts: Path) -> Iterator[str]:
    """A second API on the shared Redis without the per-client sign-up limit, for tests that
    sign up hundreds of people from one address (generated requests, the state machine)."""
    env = {**knoten_env(redis_server.url), "KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": "100000"}
    process = ApiProcess(env, artifacts / "api-unlimited.log").start()
    yield process.url
    process.stop()


@pytest.fixture(scope="session")
def worker_process(redis_server: RedisProcess, mail_sink: MailSink, artifacts: Path) -> Iterator[WorkerProcess]:
    """One worker for the shared stack; it works the jobs of every test's workshops."""
    process = WorkerProcess(knoten_env(redis_server.url, mail_sink.url), artifacts / "worker-integration.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """A whole knoten of the test's own (Redis, API, SMTP sink; workers on demand), for tests
    that kill processes. `@pytest.mark.stack(mail_delay=..., workers=N, KNOTEN_...="...")`
    sets its options."""
    from tests.integration.stack import Stack  # it builds on this module's knoten_env

    marker = request.node.get_closest_marker("stack")
    options = dict(marker.kwargs) if marker else {}
    workers = int(options.pop("workers", 0))
    built = Stack(tmp_path, **options)
    for _ in range(workers):
        built.start_worker()
    yield built
    built.stop()


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the test's own stack (absolute URLs reach a restarted API)."""
    async with httpx.AsyncClient(base_url=stack.api.url, timeout=30) as http:
        yield http


@pytest.fixture
def redis_client(redis_server: RedisProcess) -> redis.Redis:
    return redis_server.client()


class Api:
    """A client that knows the organiser token and makes workshops and sessions in one line."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    async def workshop(self, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Barcamp Engagierte Stadt",
            "starts_at": "2026-05-09T10:00:00+02:00",
            "ends_at": "2026-05-09T18:00:00+02:00",
            **fields,
        }
        response = await self.client.post("/api/workshops", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        workshop: dict[str, Any] = response.json()
        workshop["auth"] = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
        return workshop

    async def session(self, workshop: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"title": "Nachbarschaftshilfe", "format": "thementisch", **fields}
        response = await self.client.post(
            f"/api/workshops/{workshop['id']}/sessions", json=body, headers=workshop["auth"]
        )
        assert response.status_code == 201, response.text
        session: dict[str, Any] = response.json()
        return session

    async def signup(self, workshop: dict[str, Any], session: dict[str, Any], **fields: Any) -> httpx.Response:
        body = {"name": "Anna Beispiel", "consent": True, **fields}
        return await self.client.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups", json=body)


@pytest.fixture
async def api(api_process: ApiProcess) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=api_process.url, timeout=30) as client:
        yield Api(client)


def log_length(redis_client: redis.Redis, workshop_id: str) -> int:
    return int(redis_client.xlen(f"knoten:{{{workshop_id}}}:log"))
