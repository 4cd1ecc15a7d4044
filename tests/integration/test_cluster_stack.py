"""knoten with its event log on a Redis Cluster (KNOTEN_EVENTS_URL) and RQ on a plain Redis:
a real API and a real worker, a sign-up, a job lost between the commit and the enqueue, and
the mail that reconcile brings back, sent once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rq.job import Job

from service.store.jobs import SERIALIZER, queue
from tests.cluster import ClusterProcesses
from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.mail_sink import MailSink
from tests.processes import ApiProcess, RedisProcess, WorkerProcess


class ClusterStack:
    """RQ's Redis, a mail sink and the API, wired to the shared test cluster."""

    def __init__(self, directory: Path, cluster_url: str) -> None:
        self.directory = directory
        self.rq = RedisProcess(directory / "rq").start()
        self.sink = MailSink().start()
        self.env = {**knoten_env(self.rq.url, self.sink.url), "KNOTEN_EVENTS_URL": cluster_url}
        self.api = ApiProcess(self.env, directory / "api.log").start()
        self.worker: WorkerProcess | None = None

    def start_worker(self) -> None:
        self.worker = WorkerProcess(self.env, self.directory / "worker.log").start()

    def check_worker(self) -> int:
        """`knoten worker --check`, as the compose health check runs it."""
        command = [sys.executable, "-m", "service.cli", "worker", "--check"]
        return subprocess.run(command, env={**self.api.env}, capture_output=True, timeout=60, check=False).returncode

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.api.stop()
        self.sink.stop()
        self.rq.stop()


@pytest.fixture
def stack(tmp_path: Path, cluster_url: str) -> Iterator[ClusterStack]:
    built = ClusterStack(tmp_path, cluster_url)
    yield built
    built.stop()


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def _signup(client: httpx.AsyncClient, email: str) -> str:
    """A workshop with a session and one sign-up; the workshop's id."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    workshop = (
        await client.post(
            "/api/workshops",
            headers=admin,
            json={"title": "Cluster", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"},
        )
    ).json()
    base = f"/api/workshops/{workshop['id']}"
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session = (await client.post(f"{base}/sessions", headers=auth, json={"title": "T", "format": "barcamp"})).json()
    response = await client.post(
        f"{base}/sessions/{session['id']}/signups", json={"name": "Clara", "email": email, "consent": True}
    )
    assert response.status_code == 201, response.text
    return str(workshop["id"])


async def test_on_a_cluster_a_lost_job_comes_back_through_reconcile_and_its_mail_goes_out_once(
    stack: ClusterStack, redis_cluster: ClusterProcesses, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = "clara.cluster@example.org"
    async with httpx.AsyncClient(base_url=stack.api.url, timeout=30) as client:
        assert (await client.get("/health")).json()["redis"] == "ok"
        workshop_id = await _signup(client, email)

    tag = f"{{{workshop_id}}}".encode()
    on_cluster = [key for node in redis_cluster.clients() for key in node.scan_iter() if tag in key]
    assert {key.split(b"}:", 1)[1].split(b":", 1)[0] for key in on_cluster} >= {b"log", b"keys"}
    rq_client = stack.rq.client()
    assert not [key for key in rq_client.scan_iter() if tag in key], "nothing of the workshop's log on RQ's Redis"
    (job_id,) = queue(rq_client).get_job_ids()

    Job.fetch(
        job_id, connection=rq_client, serializer=SERIALIZER
    ).delete()  # as if the API died between commit and enqueue
    for name, value in stack.env.items():
        monkeypatch.setenv(name, value)
    from workers.context import context
    from workers.reconcile import reconcile_workshop

    context.cache_clear()
    try:
        assert reconcile_workshop(workshop_id) == 1
        assert reconcile_workshop(workshop_id) == 0  # twice changes nothing
    finally:
        context.cache_clear()

    assert stack.check_worker() == 1, "no worker yet"
    stack.start_worker()
    _wait(lambda: len(stack.sink.messages(email)) == 1, 30, "the re-derived confirmation")
    await asyncio.sleep(1)
    assert len(stack.sink.messages(email)) == 1
    assert stack.check_worker() == 0
