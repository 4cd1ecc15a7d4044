"""Nachhaken: reminders go out after the close and on the due date, once, and only if still open."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

from service.store.jobs import SERIALIZER
from tests.integration.conftest import Api
from tests.mail_sink import MailSink, text_of
from tests.waiting import wait_for_jobs, wait_until

pytestmark = pytest.mark.usefixtures("worker_process")


async def _follow_ups(api: Api, workshop: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = await api.client.get(f"/api/workshops/{workshop['id']}/follow-ups", headers=workshop["auth"])
    assert response.status_code == 200
    return {entry["text"]: entry for entry in response.json()}


async def test_after_the_close_each_owner_gets_one_mail_with_their_open_commitments(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop(follow_up_after="PT2S")
    session = await api.session(workshop, title="Nachbarschaftshilfe")
    base = f"/api/workshops/{workshop['id']}"
    anna = (await api.signup(workshop, session, name="Anna", email="anna.follow@example.org")).json()
    mail_sink.wait_for(lambda found: len(found) == 1, to="anna.follow@example.org")  # the confirmation

    async def commit(**body: Any) -> dict[str, Any]:
        response = await api.client.post(
            f"{base}/sessions/{session['id']}/commitments", json=body, headers=workshop["auth"]
        )
        assert response.status_code == 201
        return response.json()

    await commit(signup_id=anna["signup_id"], text="Aushang entwerfen")
    await commit(signup_id=anna["signup_id"], text="Flyer verteilen")
    finished = await commit(owner_name="Ben", owner_email="ben.follow@example.org", text="Raum buchen")
    await commit(owner_name="Cem", text="Kaffee besorgen")  # no e-mail: nobody to remind
    await api.client.post(f"{base}/commitments/{finished['id']}/done", headers=workshop["auth"])

    before = await _follow_ups(api, workshop)
    assert before["Aushang entwerfen"]["status"] == "scheduled" and before["Aushang entwerfen"]["remind_at"] is None
    assert before["Raum buchen"]["status"] == "done"
    assert before["Kaffee besorgen"]["reachable"] is False

    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    scheduled = await _follow_ups(api, workshop)
    assert scheduled["Aushang entwerfen"]["remind_at"] is not None

    mails = mail_sink.wait_for(lambda found: len(found) == 2, timeout=30, to="anna.follow@example.org")
    follow_up = mails[1]
    assert follow_up["Subject"] == "Was Sie bei Nachbarschaftshilfe übernommen haben"
    text = text_of(follow_up)
    assert "Aushang entwerfen" in text and "Flyer verteilen" in text and "/me?token=" in text
    wait_for_jobs(redis_client, workshop["id"], "send_follow_ups")
    assert mail_sink.messages("ben.follow@example.org") == []  # done before the reminder: no mail
    assert len(mail_sink.messages("anna.follow@example.org")) == 2  # exactly one follow-up
    after = await _follow_ups(api, workshop)
    assert after["Aushang entwerfen"]["status"] == "sent" and after["Aushang entwerfen"]["sent_at"] is not None
    assert after["Raum buchen"]["status"] == "done"


async def test_a_commitment_past_its_due_date_is_overdue_and_reminded_once(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    base = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/commitments"
    await api.client.post(
        base,
        headers=workshop["auth"],
        json={
            "owner_name": "Dora",
            "owner_email": "dora.due@example.org",
            "text": "Bericht schreiben",
            "due": yesterday,
        },
    )
    await api.client.post(
        base,
        headers=workshop["auth"],
        json={"owner_name": "Emil", "owner_email": "emil.due@example.org", "text": "Später", "due": tomorrow},
    )
    (reminder,) = mail_sink.wait_for(lambda found: len(found) == 1, to="dora.due@example.org")
    assert reminder["Subject"] == "Heute fällig: Bericht schreiben"
    entries = await _follow_ups(api, workshop)
    assert entries["Bericht schreiben"]["status"] == "overdue"
    assert entries["Später"]["status"] == "scheduled"
    assert entries["Später"]["remind_at"].startswith(tomorrow + "T09:00:00")
    reminders = [
        Job.fetch(key.decode().removeprefix("rq:job:"), connection=redis_client, serializer=SERIALIZER)
        for key in redis_client.scan_iter(f"rq:job:{workshop['id']}-*-send_due_reminder")
    ]
    wait_until(
        lambda: sorted(job.get_status(refresh=True) for job in reminders) == [JobStatus.FINISHED, JobStatus.SCHEDULED],
        "Dora's reminder to have run and Emil's to wait for its day",
    )
    assert mail_sink.messages("emil.due@example.org") == []


def _reminder_jobs(client: redis.Redis, workshop_id: str) -> list[Job]:
    """The workshop's due-reminder jobs, in the order of the events that called for them."""
    keys = [
        key.decode().removeprefix("rq:job:") for key in client.scan_iter(f"rq:job:{workshop_id}-*-send_due_reminder")
    ]
    keys.sort(key=lambda job_id: int(job_id.removeprefix(f"{workshop_id}-").split("-")[0]))
    return [Job.fetch(job_id, connection=client, serializer=SERIALIZER) for job_id in keys]


def _run_now(client: redis.Redis, job: Job) -> Any:
    """Run a reminder job waiting for its day at once (its day comes early); what it returned."""
    Queue(job.origin, connection=client, serializer=SERIALIZER).enqueue_job(job)
    wait_until(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, f"the reminder job {job.id} to run")
    return job.return_value()


async def test_a_commitment_reopened_after_its_reminder_found_it_done_is_reminded_once(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    base = f"/api/workshops/{workshop['id']}"
    made = await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={
            "owner_name": "Frida",
            "owner_email": "frida.reopen@example.org",
            "text": "Protokoll verschicken",
            "due": (date.today() + timedelta(days=20)).isoformat(),
        },
    )
    commitment = f"{base}/commitments/{made.json()['id']}"
    assert (await api.client.post(f"{commitment}/done", headers=workshop["auth"])).status_code == 200
    (first,) = _reminder_jobs(redis_client, workshop["id"])
    assert _run_now(redis_client, first) is False  # its day came while it was done

    assert (await api.client.post(f"{commitment}/reopen", headers=workshop["auth"])).status_code == 200
    _, again = _reminder_jobs(redis_client, workshop["id"])
    assert again.get_status() == JobStatus.SCHEDULED  # for its day, still to come
    assert _run_now(redis_client, again) is True
    (reminder,) = mail_sink.wait_for(lambda found: len(found) == 1, to="frida.reopen@example.org")
    assert reminder["Subject"] == "Heute fällig: Protokoll verschicken"

    assert (await api.client.delete(commitment, headers=workshop["auth"])).status_code == 200
    assert (await api.client.post(f"{commitment}/reopen", headers=workshop["auth"])).status_code == 200
    *_, third = _reminder_jobs(redis_client, workshop["id"])
    assert _run_now(redis_client, third) is False  # reminded of that date already
    assert len(mail_sink.messages("frida.reopen@example.org")) == 1
