"""The organisers' inbox on a busy day: digests of sessions that close close together come in
one mail, the report brings the digests not sent yet, and nothing comes twice, also when the
worker dies while mailing.

`digest_wait` is a workshop setting (10 minutes unless given), so these tests use seconds
where organisers have minutes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rq.job import Job
from rq.registry import StartedJobRegistry

from service.store.jobs import SERIALIZER, queue
from tests.integration.conftest import ADMIN_TOKEN, Api
from tests.integration.stack import Stack
from tests.mail_sink import MailSink, attachments_of, text_of
from tests.waiting import wait_for_jobs, wait_until


async def _day(api: Api, organiser: str, wait: str, *titles: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    workshop = await api.workshop(title="Engagiert im Quartier", organiser_email=organiser, digest_wait=wait)
    sessions = [await api.session(workshop, title=title) for title in titles]
    return workshop, sessions


async def _close(api: Api, workshop: dict[str, Any], session: dict[str, Any]) -> None:
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close"
    assert (await api.client.post(path, headers=workshop["auth"])).status_code == 200


def _pdfs(mail: Any) -> set[str]:
    return set(attachments_of(mail))


@pytest.mark.usefixtures("worker_process")
async def test_two_sessions_closing_within_the_wait_come_in_one_mail(
    api: Api, mail_sink: MailSink, redis_client: Any
) -> None:
    organiser = "orga.batch.one@example.org"
    workshop, (garden, repair) = await _day(api, organiser, "PT4S", "Gemeinschaftsgarten", "Reparaturcafé")
    assert workshop["digest_wait"] == "PT4S"
    await _close(api, workshop, garden)
    await asyncio.sleep(2)  # the second table closes "five minutes" (here: two seconds) later
    await _close(api, workshop, repair)

    (mail,) = mail_sink.wait_for(lambda found: len(found) == 1, to=organiser)
    assert mail["Subject"] == "Dokumentation: Gemeinschaftsgarten, Reparaturcafé"
    assert "# Gemeinschaftsgarten" in text_of(mail) and "# Reparaturcafé" in text_of(mail)
    assert _pdfs(mail) == {
        "dokumentation-gemeinschaftsgarten-2026-05-09.pdf",
        "dokumentation-reparaturcafe-2026-05-09.pdf",
    }
    wait_for_jobs(redis_client, workshop["id"], "produce_session_digest")
    assert len(mail_sink.messages(to=organiser)) == 1


@pytest.mark.usefixtures("worker_process")
async def test_sessions_closing_further_apart_than_the_wait_come_in_two_mails(api: Api, mail_sink: MailSink) -> None:
    organiser = "orga.batch.two@example.org"
    workshop, (garden, repair) = await _day(api, organiser, "PT2S", "Gemeinschaftsgarten", "Reparaturcafé")
    await _close(api, workshop, garden)
    (first,) = mail_sink.wait_for(lambda found: len(found) == 1, to=organiser)
    await _close(api, workshop, repair)  # "fifteen minutes" later: the first mail is out already

    mails = mail_sink.wait_for(lambda found: len(found) == 2, to=organiser)
    assert [m["Subject"] for m in mails] == ["Dokumentation: Gemeinschaftsgarten", "Dokumentation: Reparaturcafé"]
    assert "Reparaturcafé" not in text_of(first)


@pytest.mark.usefixtures("worker_process")
async def test_closing_the_workshop_sends_the_report_once_with_the_digests_not_sent_yet(
    api: Api, mail_sink: MailSink, redis_client: Any
) -> None:
    organiser = "orga.batch.report@example.org"
    workshop, (garden, repair, _night) = await _day(
        api, organiser, "PT2S", "Gemeinschaftsgarten", "Reparaturcafé", "Nachtcafé"
    )
    await _close(api, workshop, garden)
    mail_sink.wait_for(lambda found: len(found) == 1, to=organiser)  # the garden's digest, alone
    await _close(api, workshop, repair)
    closed = await api.client.post(f"/api/workshops/{workshop['id']}/close", headers=workshop["auth"])
    assert closed.status_code == 200  # closes the night café as well

    mails = mail_sink.wait_for(lambda found: len(found) == 2, to=organiser)
    report = mails[1]
    assert report["Subject"] == "Bericht: Engagiert im Quartier"
    assert _pdfs(report) == {
        "bericht-engagiert-im-quartier-2026-05-09.pdf",
        "dokumentation-reparaturcafe-2026-05-09.pdf",
        "dokumentation-nachtcafe-2026-05-09.pdf",
    }
    wait_for_jobs(redis_client, workshop["id"], "produce_session_digest")  # their waits are over
    wait_for_jobs(redis_client, workshop["id"], "produce_workshop_report")
    assert [m["Subject"] for m in mail_sink.messages(to=organiser)] == [
        "Dokumentation: Gemeinschaftsgarten",
        "Bericht: Engagiert im Quartier",
    ]


@pytest.mark.slow
@pytest.mark.stack(mail_delay=3.0)
async def test_a_worker_killed_while_mailing_digests_leaves_one_mail_after_the_restart(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    organiser = "orga.batch.kill@example.org"
    body = {
        "title": "Engagiert im Quartier",
        "starts_at": "2026-05-09T10:00:00+02:00",
        "ends_at": "2026-05-09T18:00:00+02:00",
        "organiser_email": organiser,
        "digest_wait": "PT1S",
    }
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    sessions = []
    for title in ("Gemeinschaftsgarten", "Reparaturcafé"):
        sessions.append(
            (await client.post(f"{base}/sessions", headers=auth, json={"title": title, "format": "thementisch"})).json()
        )
    for session in sessions:
        assert (await client.post(f"{base}/sessions/{session['id']}/close", headers=auth)).status_code == 200

    worker = stack.start_worker()
    redis_client = stack.redis.client()
    started = StartedJobRegistry(queue=queue(redis_client))

    def mailing() -> bool:  # the last close's job is delivering (the sink holds it 3 s)
        jobs = [Job.fetch(i, connection=redis_client, serializer=SERIALIZER) for i in started.get_job_ids()]
        return any(list(job.args[1:]) == [sessions[1]["id"]] for job in jobs)  # JSON: a list

    wait_until(mailing, "the digest job to start mailing", timeout=60)
    worker.kill()
    assert stack.sink.messages(to=organiser) == []
    stack.start_worker()

    (mail,) = stack.sink.wait_for(lambda found: len(found) == 1, timeout=300, to=organiser)
    assert mail["Subject"] == "Dokumentation: Gemeinschaftsgarten, Reparaturcafé"
    wait_for_jobs(redis_client, workshop["id"], "produce_session_digest", timeout=300)
    assert len(stack.sink.messages(to=organiser)) == 1
