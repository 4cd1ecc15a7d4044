"""A round table's mails through a real worker and a real SMTP sink: fixing the next date invites
everyone confirmed once, with a calendar entry; after the session, the people present who chose
`share_contact` get each other's contacts, once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, attachments_of, html_of, text_of

pytestmark = pytest.mark.usefixtures("worker_process")


def _address(name: str) -> str:
    return f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.org"


def _is_invitation(mail: EmailMessage) -> bool:
    return "next-meeting.ics" in attachments_of(mail)


def _is_contacts(mail: EmailMessage) -> bool:
    return str(mail["Subject"]).startswith(("Kontakte", "Contacts"))


def _one(mail_sink: MailSink, to: str, kind: Callable[[EmailMessage], bool]) -> EmailMessage:
    found = mail_sink.wait_for(lambda mails: any(kind(m) for m in mails), to=to)
    return next(m for m in found if kind(m))


def _count(mail_sink: MailSink, to: str, kind: Callable[[EmailMessage], bool]) -> int:
    return sum(1 for m in mail_sink.messages(to=to) if kind(m))


async def _sentinel(api: Api, workshop: dict[str, Any], mail_sink: MailSink) -> None:
    """A sign-up whose confirmation arrives after every job queued before it (one worker, in
    order): once it is there, a duplicate of an earlier mail would be there too."""
    email = _address("sentinel")
    other = await api.session(workshop, title="Sentinel")
    assert (await api.signup(workshop, other, name="Sentinel", email=email)).status_code == 201
    mail_sink.wait_for(lambda found: len(found) >= 1, to=email)


async def test_fixing_the_date_invites_everyone_confirmed_once_with_a_calendar_entry(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(title="Netzwerk Nord")
    table = await api.session(
        workshop,
        format="runder_tisch",
        title="Runder Tisch Wohnen",
        room="Saal 2",
        capacity=2,
        starts_at="2026-05-09T10:00:00+02:00",
        ends_at="2026-05-09T12:00:00+02:00",
    )
    spath = f"/api/workshops/{workshop['id']}/sessions/{table['id']}"
    anna, ben, carla = _address("anna"), _address("ben"), _address("carla")
    await api.signup(workshop, table, name="Anna", email=anna, language="de")
    await api.signup(workshop, table, name="Ben", email=ben, language="en")
    await api.signup(workshop, table, name="Carla", email=carla)  # waitlisted: no invitation
    poll = await api.client.post(
        f"{spath}/date-poll",
        headers=workshop["auth"],
        json={"options": ["2026-06-01T18:00:00+02:00", "2026-06-08T18:00:00+02:00"]},
    )
    assert poll.status_code == 201
    key = {"Idempotency-Key": uuid.uuid4().hex}
    for _ in range(2):  # a retry is the same request: no second round of mails
        fixed = await api.client.post(f"{spath}/date-poll/fix", headers={**workshop["auth"], **key}, json={"option": 1})
        assert fixed.status_code == 200

    german, english = _one(mail_sink, anna, _is_invitation), _one(mail_sink, ben, _is_invitation)
    assert "Nächstes Treffen" in str(german["Subject"]) and "8. Juni 2026" in text_of(german)
    assert "Next meeting" in str(english["Subject"]) and "Runder Tisch Wohnen" in html_of(english)
    (event,) = Calendar.from_ical(attachments_of(english)["next-meeting.ics"]).walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2026-06-08T16:00:00+00:00"
    assert event.decoded("dtend").isoformat() == "2026-06-08T18:00:00+00:00"
    assert str(event["summary"]) == "Runder Tisch Wohnen" and "Saal 2" in str(event["location"])
    await _sentinel(api, workshop, mail_sink)
    assert [_count(mail_sink, to, _is_invitation) for to in (anna, ben, carla)] == [1, 1, 0]


async def test_after_the_session_those_present_who_chose_it_get_each_other_s_contacts(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    table = await api.session(workshop, format="runder_tisch", title="Runder Tisch Kultur")
    spath = f"/api/workshops/{workshop['id']}/sessions/{table['id']}"
    early, anna, ben, dora = _address("early"), _address("anna"), _address("ben"), _address("dora")
    fritz = _address("fritz")
    # signed up before the session opened and not marked present: not counted as present
    await api.signup(workshop, table, name="Erik Früh", email=early, share_contact=True)
    # signed up before too, and marked present by the facilitator: counted as present
    marked = (await api.signup(workshop, table, name="Fritz Früh", email=fritz, share_contact=True)).json()
    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    attendance = f"/api/workshops/{workshop['id']}/signups/{marked['signup_id']}/attendance"
    assert (await api.client.post(attendance, json={"present": True}, headers=workshop["auth"])).status_code == 200
    await api.signup(workshop, table, name="Anna Arendt", email=anna, organisation="AWO", share_contact=True)
    await api.signup(workshop, table, name="Ben Bauer", email=ben, share_contact=True, language="en")
    await api.signup(workshop, table, name="Dora Diskret", email=dora)  # did not choose it
    assert (await api.client.post(f"{spath}/close", headers=workshop["auth"])).status_code == 200

    to_anna, to_ben = _one(mail_sink, anna, _is_contacts), _one(mail_sink, ben, _is_contacts)
    assert "Ben Bauer" in text_of(to_anna) and ben in text_of(to_anna) and anna not in text_of(to_anna)
    assert "Anna Arendt (AWO)" in text_of(to_ben) and anna in html_of(to_ben)
    to_fritz = _one(mail_sink, fritz, _is_contacts)
    assert "Anna Arendt" in text_of(to_fritz) and "Ben Bauer" in text_of(to_fritz)
    for mail in (to_anna, to_ben):
        assert "Erik" not in text_of(mail) and "Dora" not in text_of(mail) and "Fritz Früh" in text_of(mail)
    await _sentinel(api, workshop, mail_sink)
    assert [_count(mail_sink, to, _is_contacts) for to in (anna, ben, fritz, early, dora)] == [1, 1, 1, 0, 0]


def _is_digest(mail: EmailMessage) -> bool:
    return str(mail["Subject"]).startswith(("Dokumentation", "Documentation"))


async def test_who_asked_gets_the_digest_naming_only_themselves_and_those_who_share_and_a_public_link(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    table = await api.session(workshop, title="Runde Wohnen")
    spath = f"/api/workshops/{workshop['id']}/sessions/{table['id']}"
    auth = workshop["auth"]
    anna, ben = _address("anna"), _address("ben")
    await api.client.post(f"{spath}/open", headers=auth)
    signed = {}
    for name, fields in (
        ("Anna Arendt", {"email": anna, "wants_digest": True, "share_contact": True}),
        ("Ben Bauer", {"email": ben, "wants_digest": True, "language": "en"}),
        ("Carla Conrad", {"share_contact": True}),
        ("Dora Diskret", {}),
    ):
        signed[name] = (await api.signup(workshop, table, name=name, **fields)).json()["signup_id"]
    for name, text in (("Anna Arendt", "Flyer drucken"), ("Dora Diskret", "Raum buchen")):
        made = await api.client.post(
            f"{spath}/commitments", headers=auth, json={"signup_id": signed[name], "text": text}
        )
        assert made.status_code == 201
    link = (await api.client.get(f"{spath}/digest/public-link", headers=auth)).json()["url"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert (await api.client.get(f"/{path}")).status_code == 404  # not closed yet
    await api.client.post(f"{spath}/close", headers=auth)

    to_anna, to_ben = _one(mail_sink, anna, _is_digest), _one(mail_sink, ben, _is_digest)
    assert "Anna Arendt" in text_of(to_anna) and "Carla Conrad" in text_of(to_anna)
    assert "Ben Bauer" not in text_of(to_anna) and "Dora" not in text_of(to_anna)
    assert "| (ohne Namen) | Raum buchen |" in text_of(to_anna) and link in text_of(to_anna)
    assert "Ben Bauer" in html_of(to_ben) and "Anna Arendt" in html_of(to_ben) and "Dora" not in html_of(to_ben)
    assert "digest-" in "".join(attachments_of(to_ben))

    public = await api.client.get(f"/{path}")
    assert public.status_code == 200 and "Flyer drucken" in public.text and "Raum buchen" in public.text
    assert not [name for name in signed if name in public.text]
    assert (await api.client.get(f"/{path[:-4]}0000")).status_code == 404
    await _sentinel(api, workshop, mail_sink)
    assert [_count(mail_sink, to, _is_digest) for to in (anna, ben)] == [1, 1]
