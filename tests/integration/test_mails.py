"""Mails through a real worker process to a real SMTP sink: confirmation, waitlist, promotion."""

from __future__ import annotations

from datetime import datetime

import pytest
import redis
from icalendar import Calendar
from rq.job import Job, JobStatus

from service.store.jobs import SERIALIZER
from tests.integration.conftest import Api, knoten_env
from tests.mail_sink import MailSink, attachments_of, html_of, text_of
from tests.processes import RedisProcess
from tests.waiting import wait_until
from workers.dispatch import job_id
from workers.handlers import Handler

pytestmark = pytest.mark.usefixtures("worker_process")


async def test_a_signup_gets_a_confirmation_with_the_session_in_the_calendar_and_a_working_link(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(location="Rathaus")
    session = await api.session(
        workshop,
        title="Nachbarschaftshilfe",
        room="Saal 2",
        host="Agnes W.",
        starts_at="2026-05-09T14:00:00+02:00",
        ends_at="2026-05-09T15:30:00+02:00",
    )
    signup = (await api.signup(workshop, session, name="Anna Beispiel", email="anna.confirm@example.org")).json()
    (mail,) = mail_sink.wait_for(lambda found: len(found) == 1, to="anna.confirm@example.org")
    assert mail["Subject"] == "Ihr Platz bei Nachbarschaftshilfe"
    text = text_of(mail)
    assert "Hallo Anna Beispiel," in text and "Saal 2, Rathaus" in text and "14:00" in text
    assert "Nachbarschaftshilfe" in html_of(mail)
    calendar = Calendar.from_ical(attachments_of(mail)["session.ics"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Nachbarschaftshilfe"
    assert event.decoded("dtstart") == datetime.fromisoformat("2026-05-09T14:00:00+02:00")
    link = next(line for line in text.splitlines() if "/me?token=" in line)
    token = link.split("token=", 1)[1]
    mine = {"Authorization": f"Bearer {token}"}
    withdrawn = await api.client.delete(f"/api/workshops/{workshop['id']}/signups/{signup['signup_id']}", headers=mine)
    assert withdrawn.status_code == 200


async def test_the_waitlist_hears_its_position_and_then_its_promotion_in_its_language(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Runder Tisch", capacity=1)
    first = (await api.signup(workshop, session, name="Ada", email="ada.wait@example.org")).json()
    await api.signup(workshop, session, name="Bo", email="bo.wait@example.org", language="en")
    (waiting,) = mail_sink.wait_for(lambda found: len(found) == 1, to="bo.wait@example.org")
    assert waiting["Subject"] == "Waitlist for Runder Tisch: you are number 1"
    await api.client.delete(f"/api/workshops/{workshop['id']}/signups/{first['signup_id']}", headers=workshop["auth"])
    mails = mail_sink.wait_for(lambda found: len(found) == 2, to="bo.wait@example.org")
    assert mails[1]["Subject"] == "A place became free: you are in for Runder Tisch"


async def test_signups_without_email_get_no_mail_and_nothing_fails(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    await api.signup(workshop, session, name="Ohne Mail")
    await api.signup(workshop, session, name="Mit Mail", email="marker.nomail@example.org")
    mail_sink.wait_for(lambda found: len(found) == 1, to="marker.nomail@example.org")
    assert all("Ohne Mail" not in text_of(m) for m in mail_sink.messages())
    confirmation = Job.fetch(
        job_id(workshop["id"], 3, Handler.SEND_SIGNUP_CONFIRMATION), connection=redis_client, serializer=SERIALIZER
    )
    wait_until(lambda: confirmation.get_status(refresh=True) == JobStatus.FINISHED, "the job to finish, not fail")
    assert confirmation.return_value() is False


async def test_a_confirmation_job_that_runs_twice_sends_one_mail(
    api: Api, mail_sink: MailSink, redis_server: RedisProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    signup = (await api.signup(workshop, session, email="twice@example.org")).json()
    mail_sink.wait_for(lambda found: len(found) == 1, to="twice@example.org")
    for name, value in knoten_env(redis_server.url, mail_sink.url).items():
        monkeypatch.setenv(name, value)
    from workers.context import context
    from workers.mail_jobs import send_signup_confirmation

    context.cache_clear()
    try:
        assert send_signup_confirmation(workshop["id"], signup["signup_id"]) is False
    finally:
        context.cache_clear()
    assert len(mail_sink.messages("twice@example.org")) == 1
