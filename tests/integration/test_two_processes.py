"""Two APIs and two workers on one workshop: concurrent writes and retries through either API,
jobs run again by either worker; every acknowledged write is once in the log, every mail once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from rq.job import Job, JobStatus

from service.store import keys
from service.store.jobs import RETRY, SERIALIZER, queue
from tests.integration.conftest import ADMIN_TOKEN
from tests.integration.stack import Stack
from tests.processes import ApiProcess
from tests.waiting import wait_until
from workers.dispatch import job_id
from workers.handlers import Handler

PEOPLE = 16
_CONFIRM = Handler.SEND_SIGNUP_CONFIRMATION
UNLIMITED = "100000"


@pytest.mark.slow
@pytest.mark.stack(
    mail_delay=0.5, KNOTEN_SIGNUPS_PER_CLIENT_MINUTE=UNLIMITED, KNOTEN_SIGNUPS_PER_SESSION_MINUTE=UNLIMITED
)
async def test_two_apis_and_two_workers_write_each_sign_up_once_and_send_each_mail_once(
    stack: Stack, tmp_path: Path
) -> None:
    other = ApiProcess(stack.env, tmp_path / "api-2.log").start()
    try:
        async with (
            httpx.AsyncClient(base_url=stack.api.url, timeout=30) as first,
            httpx.AsyncClient(base_url=other.url, timeout=30) as second,
        ):
            workshop, session = await _workshop_and_session(first)
            path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"

            async def sign_up(api: httpx.AsyncClient, n: int) -> httpx.Response:
                body = {"name": f"Person {n}", "email": f"person{n}@example.org", "consent": True}
                return await api.post(path, json=body, headers={"Idempotency-Key": f"signup-{n}"})

            # each sign-up sent to both APIs at once, as a client retrying on another instance
            answers = await asyncio.gather(
                *(sign_up(api, n) for n in range(PEOPLE) for api in ((first, second) if n % 2 else (second, first)))
            )
    finally:
        other.stop()
    assert {a.status_code for a in answers} == {201}
    by_key = [answers[i : i + 2] for i in range(0, len(answers), 2)]
    assert all(a.content == b.content for a, b in by_key)
    acknowledged = {pair[0].json()["signup_id"] for pair in by_key}
    assert len(acknowledged) == PEOPLE

    redis_client = stack.redis.client()
    log = redis_client.xrange(keys.log_key(workshop["id"]))
    signups = [int(entry_id.split(b"-")[0]) for entry_id, fields in log if fields[b"type"] == b"signup_recorded"]
    assert len(signups) == PEOPLE
    # every confirmation runs three times (as after lost acknowledgements): twice side by side at
    # the front of the queue, once more later; the workers start when all of them wait
    jobs = queue(redis_client)
    again = [
        jobs.enqueue(_CONFIRM, workshop["id"], sid, job_id=f"again-{twin}-{sid}", retry=RETRY, at_front=True)
        for sid in acknowledged
        for twin in ("a", "b")
    ]
    stack.start_worker()
    stack.start_worker()
    confirmations = [
        Job.fetch(job_id(workshop["id"], p, _CONFIRM), connection=redis_client, serializer=SERIALIZER) for p in signups
    ]
    wait_until(
        lambda: all(job.get_status(refresh=True) == JobStatus.FINISHED for job in [*confirmations, *again]),
        "every confirmation job, and its second run, to finish",
        timeout=60,
    )
    sent = Counter(str(message["To"]) for message in stack.sink.messages())
    assert sent == Counter({f"person{n}@example.org": 1 for n in range(PEOPLE)})


async def _workshop_and_session(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    body = {"title": "Zwei", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
    created = await client.post("/api/workshops", json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    workshop = created.json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    planned = await client.post(
        f"/api/workshops/{workshop['id']}/sessions", json={"title": "Tisch", "format": "thementisch"}, headers=auth
    )
    return workshop, planned.json()
