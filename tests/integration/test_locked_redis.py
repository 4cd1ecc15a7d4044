"""Redis as in production: it requires a password, API and worker reach it with the password in
their Redis URL, and jobs are JSON. Whoever can write to RQ's Redis cannot make a worker run code:
a job naming an unregistered function fails without running, and a pickled payload is never
unpickled (docker-compose.yml, docs/operations.md)."""

from __future__ import annotations

import json
import os
import pickle
import secrets
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from service.store.jobs import QUEUE_NAME, SERIALIZER, UNREADABLE, RedisJobs, enqueue_onto, queue
from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.mail_sink import MailSink
from tests.processes import ApiProcess, RedisProcess, WorkerProcess
from workers.worker import run_worker

PASSWORD = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def locked_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    """A second redis-server of our own that requires a password."""
    server = RedisProcess(tmp_path_factory.mktemp("locked-redis"), password=PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture
def locked(locked_redis: RedisProcess) -> Iterator[redis.Redis]:
    client = locked_redis.client()
    client.flushall()
    yield client
    client.flushall()
    client.close()


def test_the_locked_redis_refuses_a_client_without_the_password(locked_redis: RedisProcess) -> None:
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=locked_redis.port).ping()


def test_api_and_worker_work_with_the_password_in_their_redis_url(
    locked_redis: RedisProcess, locked: redis.Redis, tmp_path: Path
) -> None:
    sink = MailSink().start()
    env = knoten_env(locked_redis.url, sink.url)
    api = ApiProcess(env, tmp_path / "api.log").start()
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        with httpx.Client(base_url=api.url, timeout=30) as http:
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            body = {"title": "T", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"}
            workshop = (http.post("/api/workshops", json=body, headers=admin)).json()
            auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
            sessions = f"/api/workshops/{workshop['id']}/sessions"
            session = (http.post(sessions, json={"title": "S", "format": "barcamp"}, headers=auth)).json()
            signup = http.post(
                f"{sessions}/{session['id']}/signups",
                json={"name": "Anna", "email": "anna@example.org", "consent": True},
            )
            assert signup.status_code == 201, signup.text
        sink.wait_for(lambda mails: len(mails) == 1, to="anna@example.org")
        stored = [locked.hget(key, "data") for key in locked.keys("rq:job:*")]
        assert stored and all(zlib.decompress(data).startswith(b"[") for data in stored if data)  # JSON, no pickle
    finally:
        worker.stop()
        api.stop()
        sink.stop()
    for log in ("api.log", "worker.log"):  # JSON lines, and the address in none of them
        text = (tmp_path / log).read_text()
        assert all(json.loads(line)["level"] for line in text.splitlines() if line.strip())
        assert "anna@example.org" not in text and PASSWORD not in text


def _hand_written_job(client: redis.Redis, job_id: str, data: bytes) -> None:
    """A job written into Redis without RQ, as anyone who can reach Redis could."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    client.hset(
        f"rq:job:{job_id}",
        mapping={
            "data": zlib.compress(data),
            "origin": QUEUE_NAME,
            "status": "queued",
            "created_at": now,
            "enqueued_at": now,
            "timeout": 60,
        },
    )
    client.rpush(f"rq:queue:{QUEUE_NAME}", job_id)
    client.sadd("rq:queues", f"rq:queue:{QUEUE_NAME}")


def test_a_hand_written_job_naming_os_system_is_refused_and_lands_with_the_dead_letters(
    locked: redis.Redis, tmp_path: Path
) -> None:
    made = tmp_path / "made-by-the-job"
    data = SERIALIZER.dumps(["os.system", None, [f"touch {made}"], {}])
    _hand_written_job(locked, "foreign", data)

    run_worker(locked, burst=True)

    assert not made.exists()
    job = Job.fetch("foreign", connection=locked, serializer=SERIALIZER)
    assert job.get_status() == JobStatus.FAILED
    assert "foreign" in FailedJobRegistry(queue=queue(locked)).get_job_ids()
    result = job.latest_result()
    assert result is not None and "'os.system' is not a registered job handler" in (result.exc_string or "")


class _Payload:
    """What a pickle would run when it is loaded: a file appears."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (os.system, (f"touch {self.path}",))


def test_a_pickled_job_is_never_unpickled(locked: redis.Redis, tmp_path: Path) -> None:
    made = tmp_path / "made-by-the-pickle"
    assert not made.exists()
    _hand_written_job(locked, "pickled", pickle.dumps(_Payload(made)))

    run_worker(locked, burst=True)

    assert not made.exists()
    assert "pickled" in FailedJobRegistry(queue=queue(locked)).get_job_ids()
    assert locked.llen(f"rq:queue:{QUEUE_NAME}") == 0
    (listed,) = RedisJobs(locked, locked, enqueue_onto(queue(locked))).failed()  # the dead letters list it, unread
    assert (listed.job_id, listed.handler, listed.args) == ("pickled", UNREADABLE, ())
    assert not made.exists()
