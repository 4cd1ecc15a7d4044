"""Nothing acknowledged is lost and nothing is done twice, when workers die or Redis restarts."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from service.store.jobs import SERIALIZER, queue
from tests.integration.conftest import ADMIN_TOKEN
from tests.integration.stack import Stack
from tests.waiting import wait_for_jobs

pytestmark = pytest.mark.stack(mail_delay=1.0)


async def _workshop(client: httpx.AsyncClient, **fields: Any) -> tuple[dict[str, Any], dict[str, str]]:
    body = {
        "title": "Faults",
        "starts_at": "2026-05-09T10:00:00+02:00",
        "ends_at": "2026-05-09T18:00:00+02:00",
        **fields,
    }
    workshop = (
        await client.post("/api/workshops", json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    ).json()
    return workshop, {"Authorization": f"Bearer {workshop['facilitator_token']}"}


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
async def test_killing_the_worker_mid_batch_loses_no_mail_and_sends_none_twice(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    workshop, auth = await _workshop(client)
    session = (
        await client.post(
            f"/api/workshops/{workshop['id']}/sessions", headers=auth, json={"title": "T", "format": "thementisch"}
        )
    ).json()
    people = [f"p{i}.kill@example.org" for i in range(12)]
    for email in people:
        response = await client.post(
            f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
            json={"name": email.split("@")[0], "email": email, "consent": True},
        )
        assert response.status_code == 201
    worker = stack.start_worker()
    _wait(lambda: len(stack.sink.messages()) >= 4, 60, "the first mails")
    time.sleep(0.5)  # the next job is now waiting for the SMTP server to accept its recipient
    started = StartedJobRegistry(queue=queue(stack.redis.client()))
    assert started.get_job_ids(), "no job was running"
    worker.kill()  # SIGKILL to the worker and every process below it
    delivered_before = len(stack.sink.messages())
    assert delivered_before < len(people)
    killed_at = time.monotonic()
    stack.start_worker()
    _wait(lambda: {str(m["To"]) for m in stack.sink.messages()} >= set(people), 300, "every mail after the kill")
    back_after = time.monotonic() - killed_at
    wait_for_jobs(stack.redis.client(), workshop["id"], "send_signup_confirmation", timeout=300)
    counts = Counter(str(m["To"]) for m in stack.sink.messages())
    assert all(counts[email] == 1 for email in people), counts
    print(
        f"\nkilled after {delivered_before} mails; all {len(people)} delivered once, {back_after:.0f} s after the kill"
    )


@pytest.mark.slow
async def test_reminders_scheduled_before_a_redis_restart_still_go_out_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    stack.start_worker()
    workshop, auth = await _workshop(client, follow_up_after="PT8S")
    base = f"/api/workshops/{workshop['id']}"
    session = (
        await client.post(f"{base}/sessions", headers=auth, json={"title": "T", "format": "runder_tisch"})
    ).json()
    owners = [f"owner{i}.restart@example.org" for i in range(3)]
    for email in owners:
        await client.post(
            f"{base}/sessions/{session['id']}/commitments",
            headers=auth,
            json={"owner_name": email.split("@")[0], "owner_email": email, "text": "Etwas tun"},
        )
    assert (await client.post(f"{base}/sessions/{session['id']}/close", headers=auth)).status_code == 200
    stack.restart_redis(kill=True)  # appendfsync always: nothing acknowledged is lost
    _wait(lambda: {str(m["To"]) for m in stack.sink.messages()} >= set(owners), 90, "the follow-ups")
    wait_for_jobs(stack.redis.client(), workshop["id"], "send_follow_ups", timeout=90)
    counts = Counter(str(m["To"]) for m in stack.sink.messages())
    assert [counts[email] for email in owners] == [1, 1, 1]
    assert (await client.get("/health")).json()["redis"] == "ok"


async def test_reconcile_enqueues_jobs_that_went_missing_once(
    stack: Stack, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    workshop, _ = await _workshop(client)
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session = (
        await client.post(
            f"/api/workshops/{workshop['id']}/sessions", headers=auth, json={"title": "T", "format": "barcamp"}
        )
    ).json()
    await client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
        json={"name": "Lost", "email": "lost.reconcile@example.org", "consent": True},
    )
    redis_client = stack.redis.client()
    rq_queue = queue(redis_client)
    (job_id,) = rq_queue.get_job_ids()
    Job.fetch(job_id, connection=redis_client, serializer=SERIALIZER).delete()  # the job is gone, the event is not
    for name, value in stack.env.items():
        monkeypatch.setenv(name, value)
    from workers.context import context
    from workers.reconcile import reconcile_workshop

    context.cache_clear()
    try:
        assert reconcile_workshop(workshop["id"]) == 1
        assert reconcile_workshop(workshop["id"]) == 0  # twice changes nothing
    finally:
        context.cache_clear()
    stack.start_worker()
    _wait(lambda: len(stack.sink.messages("lost.reconcile@example.org")) == 1, 30, "the re-derived mail")
    wait_for_jobs(stack.redis.client(), workshop["id"], "send_signup_confirmation")
    assert len(stack.sink.messages("lost.reconcile@example.org")) == 1


async def test_reconcile_skips_a_workshop_whose_jobs_all_ran_until_its_log_grows(
    stack: Stack, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass folds only workshops with work under way, so its cost follows the active
    workshops, not the deployment's history."""
    workshop, auth = await _workshop(client)
    base = f"/api/workshops/{workshop['id']}"
    session = (await client.post(f"{base}/sessions", headers=auth, json={"title": "T", "format": "barcamp"})).json()
    signups = f"{base}/sessions/{session['id']}/signups"
    await client.post(signups, json={"name": "Settled", "email": "settled@example.org", "consent": True})
    stack.start_worker()
    for name, value in stack.env.items():
        monkeypatch.setenv(name, value)
    from workers import reconcile as passes
    from workers.context import context

    looked_at: list[str] = []
    real = passes.reconcile_workshop
    monkeypatch.setattr(passes, "reconcile_workshop", lambda w, head=None: looked_at.append(w) or real(w, head))
    redis_client = stack.redis.client()
    context.cache_clear()
    try:
        # once the worker has run the confirmation, a pass notes the workshop as settled
        deadline = time.monotonic() + 60
        while redis_client.hget("knoten:reconciled", workshop["id"]) is None:
            assert time.monotonic() < deadline, "the workshop never settled"
            passes.reconcile()
            time.sleep(0.2)
        looked_at.clear()
        passes.reconcile()
        assert workshop["id"] not in looked_at
        # A failover loses the newest entry, and a new sign-up takes its place: the log has the
        # length it was settled at, but not the same newest entry, so the next pass looks again.
        log = f"knoten:{{{workshop['id']}}}:log"
        length = redis_client.xlen(log)
        redis_client.xdel(log, f"{length}-0")
        redis_client.execute_command("XSETID", log, f"{length - 1}-0")  # what the promoted replica holds
        again = await client.post(signups, json={"name": "New", "email": "later@example.org", "consent": True})
        assert again.status_code == 201 and redis_client.xlen(log) == length  # the API noticed the shorter log
        passes.reconcile()
        assert workshop["id"] in looked_at
    finally:
        context.cache_clear()
    assert len(stack.sink.messages("settled@example.org")) == 1


async def test_a_job_that_fails_for_good_is_listed_and_can_be_retried(stack: Stack, client: httpx.AsyncClient) -> None:
    workshop, _ = await _workshop(client)
    redis_client = stack.redis.client()
    queue(redis_client).enqueue(
        "workers.follow_ups.send_follow_ups", workshop["id"], "no-such-session", job_id="broken-job"
    )
    stack.start_worker()
    registry = FailedJobRegistry(queue=queue(redis_client))
    _wait(lambda: "broken-job" in registry.get_job_ids(), 30, "the job to fail")
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    (letter,) = (await client.get("/api/admin/dead-letters", headers=admin)).json()
    assert letter["job_id"] == "broken-job" and letter["handler"] == "workers.follow_ups.send_follow_ups"
    assert "no-such-session" in letter["reason"] and letter["workshop_id"] == workshop["id"]
    facilitator = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    assert (await client.get("/api/admin/dead-letters", headers=facilitator)).status_code == 403
    first_failure = Job.fetch("broken-job", connection=redis_client, serializer=SERIALIZER).ended_at
    assert first_failure is not None
    retried = await client.post("/api/admin/dead-letters/broken-job/retry", headers=admin)
    assert retried.status_code == 200 and retried.json()["status"] == "queued"

    def ran_again() -> bool:
        ended = Job.fetch("broken-job", connection=redis_client, serializer=SERIALIZER).ended_at
        return ended is not None and ended > first_failure

    _wait(ran_again, 30, "the retried job to run again")
    assert (await client.post("/api/admin/dead-letters/nope/retry", headers=admin)).status_code == 404
