"""Commitments outlive a meeting: the next meeting of a network sees the open commitments of the
earlier one and marks them done, postpones them or hands them to someone else; each decision is
one append to the earlier meeting's log, and the reminders follow the new date and owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
from rq.job import Job, JobStatus

from service.store.jobs import SERIALIZER, queue
from tests.integration.conftest import Api, log_length
from tests.mail_sink import MailSink, text_of
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("worker_process")


def _zone_past_nine() -> str:
    """A time zone where it is between 09:30 and 23:30 now: a reminder for today is due at once."""
    for zone in ("Europe/Berlin", "Asia/Tokyo", "Pacific/Kiritimati", "America/New_York", "Pacific/Honolulu"):
        local = datetime.now(UTC).astimezone(ZoneInfo(zone))
        if (9, 30) <= (local.hour, local.minute) < (23, 30):
            return zone
    raise AssertionError("no zone past nine")  # pragma: no cover - the zones cover the day


async def network(api: Api, name: str = "Netzwerk Bürgermitwirkung") -> dict[str, Any]:
    response = await api.client.post("/api/networks", json={"name": name, "city": "Hannover"}, headers=api.admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def meeting(api: Api, net: dict[str, Any] | None, starts: str, **fields: Any) -> dict[str, Any]:
    network_id = {} if net is None else {"network_id": net["id"]}
    return await api.workshop(
        title=f"Netzwerktreffen {starts}",
        starts_at=f"{starts}T18:00:00+01:00",
        ends_at=f"{starts}T21:00:00+01:00",
        **network_id,
        **fields,
    )


async def commit(api: Api, workshop: dict[str, Any], session: dict[str, Any], **body: Any) -> dict[str, Any]:
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/commitments"
    response = await api.client.post(path, json=body, headers=workshop["auth"])
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def carried(api: Api, workshop: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = await api.client.get(f"/api/workshops/{workshop['id']}/carried-commitments", headers=workshop["auth"])
    assert response.status_code == 200, response.text
    return {entry["text"]: entry for entry in response.json()}


def _reminder_jobs(client: redis.Redis, workshop_id: str) -> list[Job]:
    keys = client.scan_iter(f"rq:job:{workshop_id}-*-send_due_reminder")
    return [Job.fetch(k.decode().removeprefix("rq:job:"), connection=client, serializer=SERIALIZER) for k in keys]


def _run_now(client: redis.Redis, job: Job) -> None:
    """Time passes for one scheduled job: it runs now instead of on its day."""
    jobs = queue(client)
    jobs.scheduled_job_registry.remove(job)
    jobs.enqueue_job(job)


async def test_the_next_meeting_marks_done_postpones_and_hands_over_with_reminders_following(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    zone = _zone_past_nine()
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    net = await network(api)
    first = await meeting(api, net, "2026-10-01", timezone=zone)
    second = await meeting(api, net, "2026-12-01", timezone=zone)
    table = await api.session(first, title="AG Verkehr")
    flyer = await commit(
        api,
        first,
        table,
        owner_name="Ben",
        owner_email="ben.carry@example.org",
        text="Flyer drucken",
        due=(today + timedelta(days=20)).isoformat(),
    )
    room = await commit(
        api,
        first,
        table,
        owner_name="Cem",
        owner_email="cem.carry@example.org",
        text="Raum anfragen",
        due=(today - timedelta(days=2)).isoformat(),
    )
    poster = await commit(api, first, table, owner_name="Anna", text="Aushang entwerfen")
    mail_sink.wait_for(lambda found: len(found) == 1, to="cem.carry@example.org")  # overdue: reminded at once
    closed = await api.client.post(f"/api/workshops/{first['id']}/close", headers=first["auth"])
    assert closed.status_code == 200, closed.text

    listed = await carried(api, second)
    assert set(listed) == {"Flyer drucken", "Raum anfragen", "Aushang entwerfen"}
    assert listed["Raum anfragen"] | {"overdue": True} == listed["Raum anfragen"]
    assert listed["Flyer drucken"]["origin_workshop_id"] == first["id"]
    assert listed["Flyer drucken"]["owner_name"] == "Ben" and listed["Flyer drucken"]["status"] == "open"
    (old_reminder,) = [j for j in _reminder_jobs(redis_client, first["id"]) if j.args[1] == flyer["id"]]

    base = f"/api/workshops/{second['id']}/carried-commitments"
    before = log_length(redis_client, first["id"])
    key = {"Idempotency-Key": "carry-postpone-1"} | second["auth"]
    postponed = await api.client.post(f"{base}/{flyer['id']}/postpone", json={"due": today.isoformat()}, headers=key)
    again = await api.client.post(f"{base}/{flyer['id']}/postpone", json={"due": today.isoformat()}, headers=key)
    assert postponed.status_code == 200 and postponed.json()["due"] == today.isoformat()
    assert again.content == postponed.content
    assert log_length(redis_client, first["id"]) == before + 1  # one append, in the meeting where it was made

    handed = await api.client.post(
        f"{base}/{room['id']}/reassign",
        json={"owner_name": "Dora", "owner_email": "dora.carry@example.org"},
        headers=second["auth"],
    )
    assert handed.status_code == 200 and handed.json()["owner_name"] == "Dora"
    done = await api.client.post(f"{base}/{poster['id']}/done", headers=second["auth"])
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert log_length(redis_client, first["id"]) == before + 3

    after = await carried(api, second)
    assert set(after) == {"Flyer drucken", "Raum anfragen"}  # done ones leave the list
    assert after["Flyer drucken"]["due"] == today.isoformat()
    assert after["Raum anfragen"]["owner_name"] == "Dora"

    (ben,) = mail_sink.wait_for(lambda found: len(found) == 1, to="ben.carry@example.org")
    assert ben["Subject"] == "Heute fällig: Flyer drucken"
    (dora,) = mail_sink.wait_for(lambda found: len(found) == 1, to="dora.carry@example.org")
    assert "Raum anfragen" in text_of(dora)
    _run_now(redis_client, old_reminder)  # the day of the old date comes: no second mail
    wait_until(lambda: old_reminder.get_status(refresh=True) == JobStatus.FINISHED, "the old reminder's run")
    assert old_reminder.return_value() is False
    assert len(mail_sink.messages("ben.carry@example.org")) == 1
    assert len(mail_sink.messages("cem.carry@example.org")) == 1  # handed over: Cem hears no more

    follow_ups = await api.client.get(f"/api/workshops/{first['id']}/follow-ups", headers=first["auth"])
    statuses = {entry["text"]: (entry["status"], entry["owner_name"]) for entry in follow_ups.json()}
    assert statuses["Aushang entwerfen"] == ("done", "Anna") and statuses["Raum anfragen"][1] == "Dora"


async def test_decisions_are_refused_where_they_do_not_belong(api: Api) -> None:
    net = await network(api)
    first = await meeting(api, net, "2026-09-01")
    second = await meeting(api, net, "2026-11-01")
    outside = await meeting(api, None, "2026-11-02")
    other_network = await meeting(api, await network(api, "Netzwerk Celle"), "2026-11-03")
    made = await commit(api, first, await api.session(first), owner_name="Ben", text="Protokoll")
    for stranger in (outside, other_network):
        assert await carried(api, stranger) == {}
        path = f"/api/workshops/{stranger['id']}/carried-commitments/{made['id']}/done"
        assert (await api.client.post(path, headers=stranger["auth"])).status_code == 404
        foreign = f"/api/workshops/{second['id']}/carried-commitments"
        assert (await api.client.get(foreign, headers=stranger["auth"])).status_code in (401, 403)
    assert await carried(api, first) == {}  # nothing carried into the first meeting
    base = f"/api/workshops/{second['id']}/carried-commitments/{made['id']}"
    bad_date = await api.client.post(f"{base}/postpone", json={"due": "morgen"}, headers=second["auth"])
    no_name = await api.client.post(f"{base}/reassign", json={"owner_name": " "}, headers=second["auth"])
    assert bad_date.status_code == 400 and no_name.status_code == 400
    assert (await api.client.post(f"{base}/done", headers=second["auth"])).status_code == 200
    late = await api.client.post(f"{base}/postpone", json={"due": "2027-01-01"}, headers=second["auth"])
    assert late.status_code == 409  # done: nothing left to postpone
